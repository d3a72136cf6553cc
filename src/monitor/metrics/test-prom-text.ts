// A strict parser of Prometheus' text exposition format (0.0.4) for tests: it throws on
// anything a Prometheus server would refuse (bad names, bad escapes, unparsable values,
// samples before their TYPE, a family split in two, duplicate series) and on histograms that
// break the format's rules (no +Inf bucket, buckets decreasing, +Inf ≠ _count).

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

export function parsePromText(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const seen = new Set<string>();
  let current: ParsedFamily | undefined;
  const fail = (n: number, why: string): never => {
    throw new Error(`line ${n + 1}: ${why}`);
  };
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');

  text.split('\n').forEach((line, n) => {
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) fail(n, `bad metric name ${name}`);
      let fam = families.get(name);
      if (fam && fam !== current) fail(n, `${name} appears in two places`);
      if (!fam) {
        fam = { name, type: 'untyped', samples: [] };
        families.set(name, fam);
      }
      current = fam;
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail(n, `unknown type ${rest}`);
        if (fam.samples.length > 0) fail(n, `TYPE of ${name} after its samples`);
        fam.type = rest as ParsedFamily['type'];
      } else fam.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      return;
    }
    const sample = parseSample(line, (why) => fail(n, why));
    const famName = familyOf(sample.name, current);
    if (!current || famName !== current.name) fail(n, `sample ${sample.name} outside its family's block`);
    const key = sample.name + JSON.stringify(Object.entries(sample.labels).sort());
    if (seen.has(key)) fail(n, `duplicate series ${key}`);
    seen.add(key);
    current!.samples.push(sample);
  });

  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function familyOf(name: string, current: ParsedFamily | undefined): string {
  if (current && name === current.name) return name;
  for (const suffix of SUFFIXES[current?.type ?? ''] ?? []) {
    if (suffix && current && name === current.name + suffix) return current.name;
  }
  return name;
}

function parseSample(line: string, fail: (why: string) => never): ParsedSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
  if (!m) fail(`bad sample line ${JSON.stringify(line)}`);
  const name = m![1];
  let i = m![0].length;
  const labels: Record<string, string> = {};
  if (m![2]) {
    while (line[i] !== '}') {
      const lm = /^([^=]+)="/.exec(line.slice(i));
      if (!lm || !LABEL.test(lm[1])) fail(`bad label at column ${i + 1}`);
      i += lm![0].length;
      let value = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else fail(`bad escape \\${e}`);
        } else value += c;
      }
      if (lm![1] in labels) fail(`label ${lm![1]} twice`);
      labels[lm![1]] = value;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail(`expected , or } at column ${i + 1}`);
    }
    i++;
  }
  const rest = line.slice(i);
  const vm = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!vm) fail(`bad value part ${JSON.stringify(rest)}`);
  return { name, labels, value: parseValue(vm![1], fail) };
}

function parseValue(text: string, fail: (why: string) => never): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function checkHistogram(f: ParsedFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}_bucket without le`);
      g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name === `${f.name}_count`) g.count = s.value;
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${f.name}${key} has no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][1] < sorted[i - 1][1]) throw new Error(`${f.name}${key} buckets decrease at le=${sorted[i][0]}`);
    }
    if (g.count !== sorted.at(-1)![1]) throw new Error(`${f.name}${key}: +Inf bucket ${sorted.at(-1)![1]} ≠ _count ${g.count}`);
  }
}
