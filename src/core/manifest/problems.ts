// Manifest problems: each names the data path, the line and column, and says what is wrong in
// one sentence (with a "did you mean" when a near name exists). All problems found in one pass
// are thrown together as one TuttiError, the earliest in the file first.

import { distance } from 'fastest-levenshtein';
import { TuttiError, type ErrorCode } from '../errors.js';
import { formatPath, locate, type ManifestPath, type YamlSource } from './yaml-source.js';

export interface ManifestProblem {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** The closest candidate to a misspelt word, when it is close enough to be what was meant. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined || best === word) return undefined;
  // one edit for short words, else up to 40% of the word (at least 2, so a swap counts), at most 3
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.min(3, Math.floor(word.length * 0.4)));
  return bestDistance <= limit ? best : undefined;
}

export function problemAt(
  src: YamlSource,
  path: ManifestPath,
  sentence: string,
  opts: { key?: boolean; suggestion?: string } = {},
): ManifestProblem {
  const { line, column } = locate(src, path, opts);
  const didYouMean = opts.suggestion ? `; did you mean "${opts.suggestion}"?` : '';
  return { path: formatPath(path), line, column, message: `${sentence} (${src.label}:${line}:${column})${didYouMean}` };
}

export function sortProblems(problems: ManifestProblem[]): ManifestProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

export function manifestError(
  problems: ManifestProblem[],
  opts: { file: string; code?: ErrorCode; hint?: string; details?: Record<string, unknown> },
): TuttiError {
  const seen = new Set<string>();
  const errors = sortProblems(problems).filter((p) => !seen.has(p.message) && !!seen.add(p.message));
  const more = errors.length > 1 ? ` (${errors.length - 1} more problem${errors.length > 2 ? 's' : ''} in details.errors)` : '';
  const hint = opts.hint ?? 'Run `tutti config schema` to see every key the manifest accepts.';
  return new TuttiError(opts.code ?? 'TUTTI_E_MANIFEST_INVALID', errors[0].message, {
    hint: hint + more,
    details: { file: opts.file, errors, ...opts.details },
  });
}

/** Describes a value for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
