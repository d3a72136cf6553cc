// HTTP health check: GET http://address:port<path>, healthy on 2xx and 3xx (redirects are not
// followed: a service that answers at all with a redirect is up). A fresh connection per probe
// (agent: false) so probes never hold sockets between checks.

import http from 'node:http';
import type { HealthSpec } from '../../core/index.js';
import { describeError, probeDeadline } from './probe-deadline.js';
import type { ProbeResult, ProbeTarget } from './probe-types.js';

export function httpProbe(check: HealthSpec, target: ProbeTarget, outer: AbortSignal): Promise<ProbeResult> {
  const path = check.http?.startsWith('/') ? check.http : `/${check.http ?? ''}`;
  const deadline = probeDeadline(outer, check.timeoutMs);
  if (deadline.signal.aborted) return Promise.resolve({ ok: false, message: deadline.reason() });

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, message: deadline.reason() });

    const req = http.request(
      { host: target.address, port: target.port, path, method: 'GET', agent: false, headers: { 'user-agent': 'tutti-health' } },
      (res) => {
        const status = res.statusCode ?? 0;
        // Drain and drop the body: only the status matters, and an unread body keeps the socket.
        res.resume();
        if (status >= 200 && status < 400) finish({ ok: true });
        else finish({ ok: false, message: `GET ${path} returned ${status}` });
      },
    );
    req.on('error', (err) => finish({ ok: false, message: describeError(err) }));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
