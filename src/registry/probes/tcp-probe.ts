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
    socket.once('connect', () => {
      // Allocated ports lie in the ephemeral range, so a probe of a port nobody listens on yet
      // can be given that very port as its own source port and connect to itself (a TCP
      // simultaneous open). That is not the service answering.
      if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) {
        finish({ ok: false, message: `nothing listens on ${target.address}:${target.port} (the probe connected to itself)` });
        return;
      }
      finish({ ok: true });
    });
    socket.once('error', (err) => finish({ ok: false, message: describeError(err) }));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}
