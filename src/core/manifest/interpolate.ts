// Variable interpolation in manifest values, as docker compose does it: `${VAR}`, `$VAR`,
// `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?message}` and
// `${VAR?message}` (required), `${VAR:+alt}` / `${VAR+alt}` (alternative when set) and `$$`
// for a literal `$`. Defaults may nest further interpolations. Keys are never interpolated.

import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { positionOf, formatPath, type ManifestPath, type YamlSource } from './yaml-source.js';
import { problemAt, type ManifestProblem } from './problems.js';

export type Lookup = (name: string) => string | undefined;

export class InterpolationError extends Error {}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

/** Substitutes variables in one string; `onUnset` hears of each variable used while unset. */
export function interpolate(text: string, lookup: Lookup, onUnset: (name: string) => void = () => {}): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === '$') {
      out += '$';
      i = at + 2;
    } else if (next === '{') {
      const end = closingBrace(text, at + 2);
      if (end < 0) throw invalid(text);
      out += substitute(text.slice(at + 2, end), text, lookup, onUnset);
      i = end + 1;
    } else {
      NAME.lastIndex = at + 1;
      const m = NAME.exec(text);
      if (!m) throw invalid(text);
      const value = lookup(m[0]);
      if (value === undefined) onUnset(m[0]);
      out += value ?? '';
      i = at + 1 + m[0].length;
    }
  }
  return out;
}

function substitute(body: string, whole: string, lookup: Lookup, onUnset: (name: string) => void): string {
  const m = BRACED.exec(body);
  if (!m) throw invalid(whole);
  const [, name, op, arg = ''] = m;
  const value = lookup(name);
  const unset = value === undefined;
  const empty = unset || value === '';
  const nested = () => interpolate(arg, lookup, onUnset);
  switch (op) {
    case undefined:
      if (unset) onUnset(name);
      return value ?? '';
    case ':-':
      return empty ? nested() : value!;
    case '-':
      return unset ? nested() : value!;
    case ':?':
    case '?':
      if (op === ':?' ? empty : unset) {
        const message = nested();
        throw new InterpolationError(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
      }
      return value!;
    case ':+':
      return empty ? '' : nested();
    default: // '+'
      return unset ? '' : nested();
  }
}

/** Index of the `}` closing a `${` whose body starts at `from`, skipping nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '$' && (text[j + 1] === '$' || text[j + 1] === '{')) {
      if (text[j + 1] === '{') depth++;
      j++;
    } else if (text[j] === '}') {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

function invalid(text: string): InterpolationError {
  return new InterpolationError(`invalid interpolation format in ${JSON.stringify(text)}; write $$ for a literal $`);
}

/**
 * Interpolates every string value of the parsed manifest in place (positions are kept).
 * Unset variables without a default become '' with one warning per variable, as compose does.
 */
export function interpolateDocument(src: YamlSource, lookup: Lookup): { problems: ManifestProblem[]; warnings: string[] } {
  const problems: ManifestProblem[] = [];
  const warnings: string[] = [];
  const warned = new Set<string>();

  const walk = (node: unknown, path: ManifestPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      try {
        node.value = interpolate(node.value, lookup, (name) => {
          if (warned.has(name)) return;
          warned.add(name);
          const { line, column } = positionOf(src, node);
          warnings.push(`The "${name}" variable is not set; defaulting to a blank string (${src.label}:${line}:${column}, ${formatPath(path)})`);
        });
      } catch (e) {
        if (!(e instanceof InterpolationError)) throw e;
        problems.push(problemAt(src, path, `${formatPath(path)}: ${e.message}`));
      }
    }
  };
  walk(src.doc.contents, []);
  return { problems, warnings };
}
