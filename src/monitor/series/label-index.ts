// The inverted index of the series store: label name → value → ids of the series carrying
// that pair. A selector narrows its candidates here with the matchers that require a label to
// be present (`job="api"`, `job=~"api|db"`); every matcher then filters what is left.

import { matcherMatches, type Matcher } from '../promql/index.js';

export class LabelIndex {
  private readonly postings = new Map<string, Map<string, Set<number>>>();

  add(id: number, labels: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(labels)) {
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      let ids = values.get(value);
      if (!ids) values.set(value, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: number, labels: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(labels)) {
      const values = this.postings.get(name);
      const ids = values?.get(value);
      if (!values || !ids) continue;
      ids.delete(id);
      if (ids.size === 0) values.delete(value);
      if (values.size === 0) this.postings.delete(name);
    }
  }

  /** The values a label takes across all series, unsorted. */
  values(name: string): IterableIterator<string> {
    return (this.postings.get(name) ?? new Map<string, Set<number>>()).keys();
  }

  /** The ids of the series whose label `name` has `value`. */
  ids(name: string, value: string): ReadonlySet<number> {
    return this.postings.get(name)?.get(value) ?? EMPTY;
  }

  /**
   * The ids of the series that may match every matcher, or undefined when no matcher narrows
   * the search (each accepts a missing label) and every series is a candidate. The result is
   * a superset: callers still check each matcher against the series' labels.
   */
  candidates(matchers: readonly Matcher[]): ReadonlySet<number> | undefined {
    const sets: Array<ReadonlySet<number>> = [];
    for (const m of matchers) {
      // A matcher that accepts "" also accepts series without the label: the index, which
      // only lists present labels, cannot narrow it.
      if (matcherMatches(m, '')) continue;
      sets.push(this.idsMatching(m));
    }
    if (sets.length === 0) return undefined;
    sets.sort((a, b) => a.size - b.size);
    const [smallest, ...others] = sets;
    if (others.length === 0) return smallest;
    const out = new Set<number>();
    for (const id of smallest) if (others.every((s) => s.has(id))) out.add(id);
    return out;
  }

  private idsMatching(m: Matcher): ReadonlySet<number> {
    if (m.op === '=') return this.ids(m.name, m.value);
    const values = this.postings.get(m.name);
    if (!values) return EMPTY;
    // Distinct values are far fewer than series, so test each value once, not each series.
    const out = new Set<number>();
    for (const [value, ids] of values) {
      if (matcherMatches(m, value)) for (const id of ids) out.add(id);
    }
    return out;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
