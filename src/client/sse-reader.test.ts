import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from './sse-reader.js';

function streamOf(chunks: Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (!onCancel) controller.close();
      // with onCancel the stream stays open, like a live SSE connection
    },
    cancel() {
      onCancel?.();
    },
  });
}

describe('readServerSentEvents', () => {
  it('frames events split anywhere, including inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('id: 1\nevent: log\ndata: {"text":"caf\u00e9 \u2603"}\n\n: heartbeat\n\ndata: 2\n\n');
    const chunks = Array.from(bytes, (b) => new Uint8Array([b])); // one byte at a time
    const got = [];
    for await (const e of readServerSentEvents(streamOf(chunks))) got.push(e);
    expect(got).toEqual([
      { id: '1', event: 'log', data: '{"text":"café ☃"}' },
      { id: undefined, event: undefined, data: '2' },
    ]);
  });

  it('cancels the body when the reader stops early, so the connection closes', async () => {
    let cancelled = false;
    const enc = new TextEncoder();
    const body = streamOf([enc.encode('data: a\n\n'), enc.encode('data: b\n\n')], () => (cancelled = true));
    for await (const e of readServerSentEvents(body)) {
      expect(e.data).toBe('a');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
