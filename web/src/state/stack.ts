// The live state of the stack, shared by every page that shows it (overview, topology,
// service, alerts): one event stream (/api/v1/stack/watch) open while at least one page
// listens, whose messages replace the status, figures and alerts and append history events.
// Lookups by service are built once per message, not once per row.

import { openStream } from '../api/live';
import type { Alerts, Instance, Stack, StackEvent, Top, TopService } from '../api/types';
import { perfFinish, perfStart } from '../lib/perf';
import { useExternal } from '../lib/use-external';

export interface StackState {
  /** the first `stack` message arrived */
  loaded: boolean;
  connected: boolean;
  stack: Stack | null;
  top: Top | null;
  alerts: Alerts | null;
  events: StackEvent[];
  instancesByService: Map<string, Instance[]>;
  topByService: Map<string, TopService>;
  /** stack health over time (ms, score): appended as statuses arrive */
  healthTrend: Array<[number, number]>;
  /** bumped on every change */
  version: number;
}

const MAX_EVENTS = 200;
const MAX_TREND = 720;

let state: StackState = {
  loaded: false,
  connected: false,
  stack: null,
  top: null,
  alerts: null,
  events: [],
  instancesByService: new Map(),
  topByService: new Map(),
  healthTrend: [],
  version: 0,
};
const listeners = new Set<() => void>();
let close: (() => void) | undefined;

function update(patch: Partial<StackState>): void {
  state = { ...state, ...patch, version: state.version + 1 };
  for (const l of listeners) l();
}

function indexInstances(stack: Stack | null): Map<string, Instance[]> {
  const map = new Map<string, Instance[]>();
  for (const i of stack?.instances ?? []) {
    const list = map.get(i.service);
    if (list) list.push(i);
    else map.set(i.service, [i]);
  }
  for (const list of map.values()) list.sort((a, b) => a.slot - b.slot || a.createdAt - b.createdAt);
  return map;
}

function open(): void {
  close = openStream(
    '/api/v1/stack/watch',
    {
      stack: (data, _raw, at) => {
        perfStart('stack', at);
        const stack = data as Stack | null;
        const trend = stack ? [...state.healthTrend.slice(-MAX_TREND + 1), [Date.now(), stack.health] as [number, number]] : state.healthTrend;
        update({ loaded: true, stack, instancesByService: indexInstances(stack), healthTrend: trend });
        perfFinish('stack');
      },
      top: (data, _raw, at) => {
        perfStart('top', at);
        const top = data as Top;
        update({ top, topByService: new Map(top.services.map((s) => [s.service, s])) });
        perfFinish('top');
      },
      alerts: (data) => update({ alerts: data as Alerts }),
      events: (data) => update({ events: (data as { events: StackEvent[] }).events.slice(-MAX_EVENTS) }),
      event: (data) => update({ events: [...state.events.slice(-MAX_EVENTS + 1), data as StackEvent] }),
    },
    { onOpen: () => update({ connected: true }), onDown: () => update({ connected: false }) },
  );
}

/** Seeds the health trend with the stored series (the live messages extend it). */
export function seedHealthTrend(points: Array<[number, number]>): void {
  if (points.length === 0) return;
  const last = points[points.length - 1][0];
  update({ healthTrend: [...points, ...state.healthTrend.filter(([t]) => t > last)] });
}

export function subscribeStack(listener: () => void): () => void {
  listeners.add(listener);
  if (!close) open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      close?.();
      close = undefined;
      state = { ...state, connected: false };
    }
  };
}

export function stackState(): StackState {
  return state;
}

/** The live stack state; the page re-renders on every change. */
export function useStack(): StackState {
  return useExternal(subscribeStack, () => state);
}
