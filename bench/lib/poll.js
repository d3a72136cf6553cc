// Waiting for HTTP servers to answer, with a deadline, cheaply enough not to skew what is
// measured: a refused connect costs ~0.2 ms of CPU on a small VM, so polling 50 ports every
// few ms would eat most of a core that the tools under test need. Requests therefore go out
// at a bounded rate, round-robin over the ports that have not answered yet.
//
// Requests are sent from 127.0.0.2: connecting from 127.0.0.1 to a port nobody listens on yet
// can pick that very port as the source port (a TCP self-connect), which then holds the port
// and makes the server about to bind it fail. A different source address rules that out.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listeningSockets } from './proc.js';

const SOURCE_ADDRESS = '127.0.0.2';
const TICK_MS = 5;
const PER_TICK = 4; // ≤ 800 requests/s; an answer is seen at most (pending / 4) × 5 ms late

/** GET http://127.0.0.1:port/path → { status, body } (rejects on connect errors and timeouts). */
export function httpGet(port, path = '/healthz', timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, localAddress: SOURCE_ADDRESS, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function fatal(err) {
  if (err?.code === 'EADDRNOTAVAIL') return new Error(`${SOURCE_ADDRESS} is not a local address here; the poller needs it`);
  return undefined;
}

/**
 * Polls until every port has answered HTTP 200 once; resolves with the performance.now() at
 * which the last one answered. Throws naming the ports still silent at the deadline, or as
 * soon as `failed()` returns an error (the tool under test gave up).
 */
export async function waitAllAnswering(ports, { deadlineMs, failed = () => undefined }) {
  const pending = [...ports];
  const inflight = new Set();
  let last = 0;
  let broken;
  let cursor = 0;
  const deadline = performance.now() + deadlineMs;
  while (pending.length > 0) {
    const error = broken ?? failed();
    if (error) throw error;
    if (performance.now() > deadline) {
      throw new Error(`${pending.length} of ${ports.length} ports did not answer within ${deadlineMs}ms (e.g. ${pending.slice(0, 5).join(', ')})`);
    }
    for (let sent = 0, looked = 0; sent < PER_TICK && looked < pending.length; looked++) {
      const port = pending[cursor++ % pending.length];
      if (inflight.has(port)) continue;
      inflight.add(port);
      sent++;
      httpGet(port)
        .then(({ status }) => {
          const i = pending.indexOf(port);
          if (status === 200 && i >= 0) {
            pending.splice(i, 1);
            last = performance.now();
          }
        })
        .catch((err) => {
          broken ??= fatal(err);
        })
        .finally(() => inflight.delete(port));
    }
    await sleep(TICK_MS);
  }
  return last;
}

/**
 * After `oldPid` was killed: resolves with the performance.now() at which the port answered
 * HTTP 200 from another process (the server reports its pid in the body), so an answer from
 * the dying process is never mistaken for the recovery; undefined at the deadline.
 */
export async function waitAnsweredByNewPid(port, oldPid, { deadlineMs, intervalMs = 2 }) {
  const deadline = performance.now() + deadlineMs;
  while (performance.now() < deadline) {
    try {
      const { status, body } = await httpGet(port, '/healthz', 500);
      const now = performance.now();
      if (status === 200 && JSON.parse(body).pid !== oldPid) return now;
    } catch (err) {
      const error = fatal(err);
      if (error) throw error;
    }
    await sleep(intervalMs);
  }
  return undefined;
}

/** Resolves true once none of the ports is listening any more; false at the deadline. */
export async function waitPortsClosed(ports, { deadlineMs, intervalMs = 100 }) {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const listening = await listeningSockets();
    if (!ports.some((p) => listening.has(p))) return true;
    if (performance.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
