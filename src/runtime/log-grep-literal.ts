// The text every match of a grep regex must contain, so a search can look for that text first
// (as grep does) and run the regex only on the lines holding it. Read conservatively: anything
// not understood here gives no literal, and the reader then runs the regex on every line.

// a message that is a JSON number is matched as String(number), which holds no text of the
// line (1e2 reads "100"): a literal made only of these characters could be missed
const NUMBER_TEXT = /^[0-9.e+\-Infinity]*$/;
// escapes that stand for one character of a class or for a position: they end a literal run
const CLASS_ESCAPES = 'bBdDsSwW';
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;

/**
 * The longest text that every match of /source/flags contains, or undefined when unsure:
 * with flags other than s, m, u and d (i changes case), an alternation anywhere, an escape
 * that is not punctuation or one of \b \B \d \D \s \S \w \W, or a brace that is not a
 * quantifier. Only characters outside groups and classes count; a character followed by
 * `?`, `*` or `{…}` is optional and does not.
 */
export function requiredLiteral(source: string, flags: string): string | undefined {
  if (!/^[smud]*$/.test(flags) || source.includes('|')) return undefined;
  const chars = [...source]; // code points: a quantifier drops a whole character
  let best = '';
  let run: string[] = [];
  const endRun = (): void => {
    const text = run.join('');
    if (text.length > best.length) best = text;
    run = [];
  };
  let depth = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return undefined;
      if (/[\p{L}\p{N}_]/u.test(next)) {
        if (!CLASS_ESCAPES.includes(next)) return undefined;
        endRun();
      } else if (depth === 0) {
        run.push(next);
      }
    } else if (c === '[') {
      endRun();
      // to the class's unescaped `]`; `]` first in it is a character of it in no mode, so fine
      for (i++; i < chars.length && chars[i] !== ']'; i++) if (chars[i] === '\\') i++;
      if (i >= chars.length) return undefined;
    } else if (c === '(') {
      endRun();
      depth++;
    } else if (c === ')') {
      endRun();
      depth--;
    } else if (c === '?' || c === '*' || c === '{') {
      if (c === '{') {
        const m = QUANTIFIER.exec(chars.slice(i).join(''));
        if (!m) return undefined;
        i += m[0].length - 1;
      }
      // the character before is optional: it leaves the run
      run.pop();
      endRun();
    } else if (c === '+') {
      // once at least, and then maybe more: the run ends with it
      endRun();
    } else if (c === '.' || c === '^' || c === '$' || c === '}' || c === ']') {
      endRun();
    } else if (depth === 0) {
      run.push(c);
    }
  }
  endRun();
  if (best === '' || NUMBER_TEXT.test(best)) return undefined;
  return best;
}
