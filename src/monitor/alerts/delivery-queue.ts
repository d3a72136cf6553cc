// Delivers notification bodies over HTTP without ever making the caller wait: enqueue()
// returns at once, one request is in flight at a time (so a receiver sees notifications in
// the order they were decided), failures that may pass (network errors, timeouts, 5xx, 429)
// are retried with exponential backoff, and the queue is bounded so a dead receiver cannot
// grow memory. Every timer is unref'd and cleared by close(), which also aborts the request.

export interface AlertLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Delivery {
  url: string;
  body: string;
  /** Names the notification in logs. */
  description: string;
  /** Called once the delivery is given up (attempts exhausted or a non-retryable answer). */
  onGiveUp?: () => void;
}

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
}

export interface DeliveryQueueOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  maxQueued: number;
  headers: Record<string, string>;
  logger?: AlertLogger;
}

export interface DeliveryStats {
  /** Deliveries the receiver accepted. */
  sent: number;
  /** Deliveries given up. */
  failed: number;
  /** Deliveries waiting for their next attempt (0 or 1: one delivery is worked on at a time). */
  retrying: number;
  /** Deliveries thrown away because the queue was full. */
  dropped: number;
  /** Deliveries waiting their turn. */
  queued: number;
  /** 1 while a request is on the wire. */
  inFlight: number;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describeError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export class DeliveryQueue {
  readonly #queue: Delivery[] = [];
  #current: { delivery: Delivery; attempts: number } | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  #sent = 0;
  #failed = 0;
  #dropped = 0;

  constructor(private readonly options: DeliveryQueueOptions) {}

  enqueue(delivery: Delivery): void {
    if (this.#closed) return;
    this.#queue.push(delivery);
    if (this.#queue.length > this.options.maxQueued) {
      const dropped = this.#queue.shift()!;
      this.#dropped++;
      this.options.logger?.warn(
        { notification: dropped.description, maxQueued: this.options.maxQueued },
        'alert notification queue full: dropped the oldest waiting notification',
      );
    }
    this.#next();
  }

  stats(): DeliveryStats {
    return {
      sent: this.#sent,
      failed: this.#failed,
      retrying: this.#retryTimer ? 1 : 0,
      dropped: this.#dropped,
      queued: this.#queue.length,
      inFlight: this.#inFlight ? 1 : 0,
    };
  }

  /** Stops for good: waiting deliveries are discarded, the retry timer cleared, the request aborted. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#queue.length = 0;
    this.#current = undefined;
    this.#controller?.abort();
    await this.#inFlight;
  }

  #next(): void {
    if (this.#closed || this.#current) return;
    const delivery = this.#queue.shift();
    if (!delivery) return;
    this.#current = { delivery, attempts: 0 };
    this.#attempt();
  }

  #attempt(): void {
    const current = this.#current;
    if (!current || this.#closed) return;
    current.attempts++;
    this.#inFlight = this.#post(current.delivery).then((outcome) => {
      this.#inFlight = undefined;
      if (!this.#closed) this.#settle(current, outcome);
    });
  }

  #settle(current: { delivery: Delivery; attempts: number }, outcome: Outcome): void {
    const { delivery, attempts } = current;
    if (outcome.ok) {
      this.#sent++;
    } else if (outcome.retry && attempts < this.options.retry.maxAttempts) {
      const { initialMs, maxMs } = this.options.retry;
      const backoff = Math.min(maxMs, initialMs * 2 ** (attempts - 1));
      const delayMs = Math.min(maxMs, Math.max(backoff, outcome.retryAfterMs ?? 0));
      this.options.logger?.warn(
        { notification: delivery.description, url: delivery.url, attempt: attempts, reason: outcome.reason, retryInMs: delayMs },
        'alert notification failed; will retry',
      );
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#attempt();
      }, delayMs);
      this.#retryTimer.unref();
      return;
    } else {
      this.#failed++;
      this.options.logger?.error(
        { notification: delivery.description, url: delivery.url, attempts, reason: outcome.reason },
        'alert notification given up',
      );
      delivery.onGiveUp?.();
    }
    this.#current = undefined;
    this.#next();
  }

  async #post(delivery: Delivery): Promise<Outcome> {
    const controller = new AbortController();
    this.#controller = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    timer.unref();
    try {
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'tutti', ...this.options.headers },
        body: delivery.body,
        signal: controller.signal,
      });
      // Reading the body lets the connection be reused, and an error body helps the log.
      const text = await res.text();
      if (res.ok) return { ok: true };
      return {
        ok: false,
        // As Alertmanager's retrier: 5xx may pass, and 429 asks to come back later.
        retry: res.status >= 500 || res.status === 429,
        reason: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      };
    } catch (err) {
      if (timedOut) return { ok: false, retry: true, reason: `no answer within ${this.options.timeoutMs}ms` };
      return { ok: false, retry: !this.#closed, reason: describeError(err) };
    } finally {
      clearTimeout(timer);
      if (this.#controller === controller) this.#controller = undefined;
    }
  }
}
