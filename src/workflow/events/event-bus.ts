// The in-memory event bus: validates each published CloudEvent, numbers it, keeps the most recent
// ones (so a listener that subscribes just after a publish, or a run that resumes, can still be
// handed what it missed) and delivers to subscribers in publish order. One publish of an event
// whose source+id is still kept is a duplicate (CloudEvents: source+id identify an event): it is
// not delivered again and answers the first one's sequence number.

import { randomUUID } from 'node:crypto';
import { validateCloudEvent } from './validate-event.js';
import type { CloudEvent, EventBus, PublishedEvent } from './types.js';

export interface EventBusOptions {
  /** how many recent events stay in memory for late subscribers and resumes; default 1000 */
  keep?: number;
  /** ms since epoch; stamps `time` on events published without one. Default Date.now */
  now?: () => number;
}

export interface MemoryEventBus extends EventBus {
  readonly epoch: string;
  /** the kept events, oldest first */
  recent(): readonly PublishedEvent[];
  /** subscribers currently registered */
  readonly subscribers: number;
}

interface Subscriber {
  filter: (event: CloudEvent) => boolean;
  onEvent: (e: PublishedEvent) => void;
  /** the last sequence number looked at */
  cursor: number;
  active: boolean;
  pumping: boolean;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function createEventBus(options: EventBusOptions = {}): MemoryEventBus {
  const keep = Math.max(1, options.keep ?? 1000);
  const now = options.now ?? Date.now;
  const epoch = randomUUID();
  const kept: PublishedEvent[] = [];
  const byIdentity = new Map<string, PublishedEvent>();
  const subscribers = new Set<Subscriber>();
  let seq = 0;

  const identity = (e: CloudEvent) => `${e.source}\u0000${e.id}`;

  /** Hands `sub` every event after its cursor, in order; re-entrant publishes are picked up by the running loop. */
  const pump = (sub: Subscriber) => {
    if (sub.pumping) return;
    sub.pumping = true;
    try {
      while (sub.active && sub.cursor < seq) {
        const first = kept.length > 0 ? kept[0].seq : seq + 1;
        // events older than the oldest kept one are gone: continue from what is kept
        if (sub.cursor + 1 < first) sub.cursor = first - 1;
        if (sub.cursor >= seq) break;
        const published = kept[sub.cursor + 1 - first];
        sub.cursor = published.seq;
        let accepted = false;
        try {
          accepted = sub.filter(published.event);
        } catch {
          accepted = false; // a filter that throws does not match
        }
        if (accepted) {
          try {
            sub.onEvent(published);
          } catch {
            // a subscriber's failure is its own; the others still get the event
          }
        }
      }
    } finally {
      sub.pumping = false;
    }
  };

  return {
    epoch,
    get seq() {
      return seq;
    },
    get subscribers() {
      return subscribers.size;
    },
    recent: () => [...kept],
    async publish(input: CloudEvent): Promise<PublishedEvent> {
      const event = validateCloudEvent(input);
      if (event.time === undefined) event.time = new Date(now()).toISOString();
      const duplicate = byIdentity.get(identity(event));
      if (duplicate) return duplicate;
      const published: PublishedEvent = deepFreeze({ seq: ++seq, event });
      kept.push(published);
      byIdentity.set(identity(event), published);
      while (kept.length > keep) byIdentity.delete(identity(kept.shift()!.event));
      for (const sub of [...subscribers]) pump(sub);
      return published;
    },
    subscribe(filter, onEvent, afterSeq) {
      const sub: Subscriber = { filter, onEvent, cursor: afterSeq === undefined ? seq : Math.max(0, Math.min(afterSeq, seq)), active: true, pumping: false };
      subscribers.add(sub);
      // kept events are replayed after subscribe returns, so the caller holds its unsubscribe first
      if (sub.cursor < seq) queueMicrotask(() => pump(sub));
      return () => {
        sub.active = false;
        subscribers.delete(sub);
      };
    },
  };
}
