// The event bus contract: CloudEvents 1.0 published by `emit`, by `POST /api/v1/events` and by
// `tutti events send`, and awaited by `listen` (and `schedule.on`). The engine only sees this
// interface; the control plane owns the implementation (in memory, kept for a while so that a
// run which resumes or a listener that subscribes just after a publish still sees it).

/** A CloudEvent in its JSON form (structured mode): the required context attributes plus
 *  optional ones and extensions (lower-case alphanumeric names). */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  [extension: string]: unknown;
}

export interface PublishedEvent {
  /** position in the bus, increasing by one per event; subscribers may resume after it */
  seq: number;
  event: CloudEvent;
}

export interface EventBus {
  /** Validates and delivers the event to every current subscriber whose filter matches;
   *  resolves with its sequence number. Rejects (TUTTI_E_BAD_REQUEST, naming the attribute) a malformed event. */
  publish(event: CloudEvent): Promise<PublishedEvent>;
  /** Calls onEvent for every event published after `afterSeq` (default: from now on) that
   *  `filter` accepts, in order. Returns the unsubscribe function. */
  subscribe(filter: (event: CloudEvent) => boolean, onEvent: (e: PublishedEvent) => void, afterSeq?: number): () => void;
  /** the sequence number of the newest event (0 when none yet) */
  readonly seq: number;
  /** identifies this bus instance: sequence numbers are only comparable within one epoch (an
   *  in-memory bus restarts at 0 with the daemon), so a resumed listener that recorded another
   *  epoch starts from the beginning of this one instead of skipping its first events */
  readonly epoch?: string;
}
