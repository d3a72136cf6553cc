// TCP health check: healthy as soon as a connection to the instance's port is accepted; the
// socket is destroyed right away so the service sees a connect-and-close, nothing more.

import net from 'node:net';
import type { HealthSpec } from '../../core/index.js';
import { describeError, probeDeadline } from './probe-deadline.js';
import type { ProbeResult, ProbeTarget } from './probe-types.js';

export function tcpProbe(check: HealthSpec, target: ProbeTarget, outer: AbortSignal): Promise<ProbeResult> {
  const deadline = probeDeadline(outer, check.timeoutMs);
  if (deadline.signal.aborted) return Promise.resolve({ ok: false, message: deadline.reason() });

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const socket = net.connect({ host: target.address, port: target.port });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, message: deadline.reason() });
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (err) => finish({ ok: false, message: describeError(err) }));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}
