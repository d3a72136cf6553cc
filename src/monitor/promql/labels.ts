// Label sets and matchers with Prometheus' rules: a missing label reads as "", regexes are
// fully anchored (RE2's `^(?s:re)$`), and `__name__` takes no part in vector matching. Also the
// in-memory SeriesSource, which is selection by these matchers and nothing more.

import type { Matcher, Series, SeriesSource, VectorMatching } from './ast.js';

export type Labels = Record<string, string>;

export const METRIC_NAME = '__name__';

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 1000;

/**
 * Compiles a PromQL (RE2) regex for JavaScript. A leading `(?i)`, common in rules, becomes the
 * `i` flag since Node 20 has no inline flag groups. Unicode mode makes `.` match a code point
 * as in RE2 and turns RE2-only syntax (`\pL`, `\z`) into errors instead of silently different
 * matches. Throws SyntaxError on a bad pattern.
 */
export function compileRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (re) return re;
  const insensitive = source.startsWith('(?i)');
  const body = insensitive ? source.slice(4) : source;
  if (/\[:[a-z]+:\]/.test(body)) {
    throw new SyntaxError('named classes such as [:alpha:] are not supported, write the ranges (a-zA-Z)');
  }
  re = new RegExp(`^(?:${escapePunctuation(body)})$`, insensitive ? 'sui' : 'su');
  // Rules are few and fixed; the bound only guards against an unbounded stream of queries.
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(source, re);
  return re;
}

// RE2 lets any ASCII punctuation be escaped (`\-`, `\#`); Unicode-mode JavaScript only the
// regex syntax characters. The others are rewritten as hex escapes of the same character.
function escapePunctuation(body: string): string {
  return body.replace(/\\(.)/gs, (whole, c: string) =>
    /[!-/:-@[-`{-~]/.test(c) && !/[\^$\\.*+?()[\]{}|/]/.test(c)
      ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
      : whole);
}

export function matcherMatches(m: Matcher, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return compileRegex(m.value).test(v);
    case '!~': return !compileRegex(m.value).test(v);
  }
}

export function labelsMatch(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matcherMatches(m, Object.hasOwn(labels, m.name) ? labels[m.name] : undefined));
}

/** A stable identity for a label set: sorted pairs, empty values dropped as Prometheus does. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => labels[k] !== '')
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

export function dropMetricName(labels: Labels): Labels {
  if (!(METRIC_NAME in labels)) return labels;
  const { [METRIC_NAME]: _, ...rest } = labels;
  return rest;
}

/** The key two samples must share to match across a binary operator. */
export function matchSignature(labels: Labels, matching: VectorMatching | undefined): string {
  if (matching?.on) return labelsKey(pick(labels, matching.labels));
  const ignored = new Set([METRIC_NAME, ...(matching?.labels ?? [])]);
  return labelsKey(omit(labels, ignored));
}

export function pick(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const n of names) if (labels[n] !== undefined && labels[n] !== '') out[n] = labels[n];
  return out;
}

export function omit(labels: Labels, names: ReadonlySet<string>): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (!names.has(k)) out[k] = v;
  return out;
}

/** `{a="1", b="2"}`, for error messages. */
export function formatLabels(labels: Labels): string {
  const pairs = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${pairs.join(', ')}}`;
}

/**
 * A SeriesSource over series held in memory (points sorted by time): the reference for the
 * contract the series store follows, and the fixture of the evaluator's tests. Returns the
 * series matching every matcher with their points in [startMs, endMs], leaving out series
 * with no point there.
 */
export function memorySeriesSource(series: readonly Series[]): SeriesSource {
  return {
    select(matchers: Matcher[], startMs: number, endMs: number): Series[] {
      const out: Series[] = [];
      for (const s of series) {
        if (!labelsMatch(matchers, s.labels)) continue;
        const points = s.points.filter((p) => p.t >= startMs && p.t <= endMs);
        if (points.length > 0) out.push({ labels: s.labels, points });
      }
      return out;
    },
  };
}
