// A push-driven AsyncIterable: producers push values as things happen (progress of a rollout,
// live log lines), one consumer pulls them with `for await`. Ends when the producer ends it,
// or when the consumer stops (break, or its AbortSignal).

export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;
  private failure: unknown;
  private readonly onEnd: Array<() => void> = [];

  push(value: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
    } else {
      this.buffer.push(value);
    }
  }

  /** Ends the stream after the buffered values; with an error, the consumer's loop throws it. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    for (const fn of this.onEnd.splice(0)) fn();
    if (this.waiting && this.buffer.length === 0) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** Runs fn once the stream has ended, for whichever reason. */
  finally(fn: () => void): void {
    if (this.ended) fn();
    else this.onEnd.push(fn);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
        if (this.ended) {
          if (this.failure !== undefined) {
            const failure = this.failure;
            this.failure = undefined;
            return Promise.reject(failure);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise<IteratorResult<T>>((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.end();
        this.buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
