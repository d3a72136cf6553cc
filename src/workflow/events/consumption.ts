// Event consumption strategies (dsl-reference "Event Consumption Strategy", "Event Filter",
// "Correlation"): which events a `listen.to` (or `schedule.on`) accepts and when it has what it
// waits for. Pure logic over an evaluator, so it runs inside a task (listen) or outside a run
// (schedules); the state it keeps is plain JSON, persisted with the run.
//
// Filters: every attribute in `with` must match. A runtime expression is evaluated on the
// attribute's value (`data`: on the event data); a boolean result is the verdict, any other result
// must equal the attribute. A literal string equals the attribute, or — when it holds regular
// expression syntax other than `.` — must match it whole; a literal mapping matches `data` (or an
// attribute) that holds at least those members. `correlate.<name>.from` is evaluated on the whole
// event; its value must equal `expect` (evaluated on the task input) or, without `expect`, the
// first value seen for that name in this consumption. A filter expression that fails (e.g. on an
// event of another shape) means "no match", not a fault.

import type { CloudEvent } from './types.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface StrategyEvaluator {
  /** evaluates the field at `pointer` with `input` as `.` */
  evaluate(pointer: string, input: unknown): unknown;
  /** whether the field at `pointer` is a runtime expression */
  isExpression(pointer: string): boolean;
  /** the value of a correlation's `expect` at `pointer` (a constant or an expression on the task input) */
  expected(pointer: string): unknown;
}

/** What a consumption has seen so far; JSON-serialisable. */
export interface ConsumptionState {
  /** one/all: which filters have matched an event */
  matched: boolean[];
  /** events accepted (consumed, not counting those of an `until` strategy) */
  count: number;
  /** correlation values fixed so far, by correlation name (shared by all filters) */
  correlations: Obj;
  /** the state of an `until` strategy (any) */
  until?: ConsumptionState;
  /** the `until` strategy is complete, or the caller's until condition held: accept nothing more */
  done?: boolean;
}

/** consume: the event is one of those awaited; until: it counted for the `until` strategy */
export type Offer = 'consume' | 'until' | 'ignore';

interface Filter {
  pointer: string;
  with: Obj;
  correlate: Obj;
}

const REGEX_SYNTAX = /[\\^$*+?()[\]{}|]/;

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => deepEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a as Obj);
  const kb = Object.keys(b as Obj);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

/** A literal filter value against an attribute (see the header). */
export function literalMatches(want: unknown, have: unknown): boolean {
  if (typeof want === 'string') {
    if (have === undefined || have === null || typeof have === 'object') return false;
    const text = String(have);
    if (text === want) return true;
    if (!REGEX_SYNTAX.test(want)) return false;
    try {
      return new RegExp(`^(?:${want})$`).test(text);
    } catch {
      return false;
    }
  }
  if (isObject(want)) return isObject(have) && Object.entries(want).every(([k, v]) => literalMatches(v, have[k]));
  return deepEqual(want, have);
}

function attributeValue(event: CloudEvent, name: string): unknown {
  if (name === 'data') return event.data ?? event.data_base64 ?? null;
  return event[name];
}

export class EventConsumption {
  readonly mode: 'one' | 'all' | 'any';
  private readonly filters: Filter[];
  /** `until` as a runtime expression (any), evaluated by the caller on what was consumed */
  readonly untilExpression: boolean;
  private readonly until?: EventConsumption;

  /** `strategy` as written (the task definition's `listen.to`), found at `pointer`. */
  constructor(strategy: unknown, readonly pointer: string, private readonly ev: StrategyEvaluator) {
    const s = isObject(strategy) ? strategy : {};
    const filter = (f: unknown, at: string): Filter => {
      const o = isObject(f) ? f : {};
      return { pointer: at, with: isObject(o.with) ? o.with : {}, correlate: isObject(o.correlate) ? o.correlate : {} };
    };
    if (s.one !== undefined) {
      this.mode = 'one';
      this.filters = [filter(s.one, `${pointer}/one`)];
    } else if (Array.isArray(s.all)) {
      this.mode = 'all';
      this.filters = s.all.map((f, i) => filter(f, `${pointer}/all/${i}`));
    } else {
      this.mode = 'any';
      this.filters = Array.isArray(s.any) ? s.any.map((f, i) => filter(f, `${pointer}/any/${i}`)) : [];
    }
    this.untilExpression = this.mode === 'any' && typeof s.until === 'string';
    if (this.mode === 'any' && isObject(s.until)) this.until = new EventConsumption(s.until, `${pointer}/until`, ev);
  }

  initial(): ConsumptionState {
    return { matched: this.filters.map(() => false), count: 0, correlations: {}, ...(this.until ? { until: this.until.initial() } : {}) };
  }

  /** Whether the filter accepts the event: the correlation values it would fix, or undefined. */
  private match(f: Filter, event: CloudEvent, state: ConsumptionState): Obj | undefined {
    for (const [name, want] of Object.entries(f.with)) {
      const at = `${f.pointer}/with/${escape(name)}`;
      const have = attributeValue(event, name);
      if (this.ev.isExpression(at)) {
        let verdict: unknown;
        try {
          verdict = this.ev.evaluate(at, have ?? null);
        } catch {
          return undefined;
        }
        if (typeof verdict === 'boolean' ? !verdict : !deepEqual(verdict, have)) return undefined;
      } else if (!literalMatches(want, have)) {
        return undefined;
      }
    }
    const fixed: Obj = {};
    for (const [name, c] of Object.entries(f.correlate)) {
      const at = `${f.pointer}/correlate/${escape(name)}`;
      let value: unknown;
      try {
        value = this.ev.evaluate(`${at}/from`, event);
      } catch {
        return undefined;
      }
      if (value === null || value === undefined) return undefined;
      if (isObject(c) && c.expect !== undefined) {
        if (!deepEqual(value, this.ev.expected(`${at}/expect`))) return undefined;
      } else {
        const known = name in state.correlations ? state.correlations[name] : fixed[name];
        if (known !== undefined && !deepEqual(value, known)) return undefined;
        fixed[name] = value;
      }
    }
    return fixed;
  }

  /** Offers one event; updates `state` when it is accepted. */
  offer(event: CloudEvent, state: ConsumptionState): Offer {
    if (state.done || this.received(state)) return 'ignore';
    if (this.until && state.until) {
      // an event the until strategy takes is not part of the output (dsl-reference, Listen)
      if (this.until.offer(event, state.until) === 'consume') {
        if (this.until.received(state.until)) state.done = true;
        return 'until';
      }
    }
    if (this.mode === 'any' && this.filters.length === 0) {
      state.count++;
      return 'consume';
    }
    for (let i = 0; i < this.filters.length; i++) {
      if (this.mode !== 'any' && state.matched[i]) continue;
      const fixed = this.match(this.filters[i], event, state);
      if (!fixed) continue;
      Object.assign(state.correlations, fixed);
      state.matched[i] = true;
      state.count++;
      return 'consume';
    }
    return 'ignore';
  }

  /** Whether every event awaited has been received (the caller may stop receiving). An `any`
   *  with an until expression is never done here: the caller decides after each event. */
  received(state: ConsumptionState): boolean {
    if (state.done) return true;
    if (this.mode !== 'any') return state.matched.every(Boolean);
    if (this.untilExpression) return false;
    if (this.until) return false;
    return state.count >= 1;
  }
}
