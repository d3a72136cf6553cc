// Alert rules end to end: a real webhook receiver gets Alertmanager's payload when a service
// is stopped (firing, after `for`) and when it is back (resolved); `tutti alerts` shows the
// states; a malformed rule is refused at `tutti up`; an unreachable webhook stalls nothing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, nodeService, Project, waitFor } from './helpers/tutti.js';

interface Receiver {
  url: string;
  payloads: any[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const payloads: any[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      payloads.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    payloads,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const health = '{ http: /healthz, interval: 100ms, timeout: 1s }';

function manifest(webhook: string, when = 'tutti_service_ready_instances{service="web"} < 1'): string {
  return `
name: watched
services:
  web:
    command: ${nodeService('http.mjs')}
    health: ${health}
alerts:
  - name: WebDown
    when: ${JSON.stringify(when)}
    for: 1s
    labels: { severity: page }
    annotations: { summary: "{{ $$labels.service }} has {{ $$value }} ready instances" }
    notify: [{ webhook: ${JSON.stringify(webhook)} }]
`;
}

const savedInterval = process.env.TUTTI_MONITOR_INTERVAL_MS;
beforeAll(() => {
  // the daemon inherits the CLI's environment, which the Project helper takes from ours
  process.env.TUTTI_MONITOR_INTERVAL_MS = '200';
});
afterAll(() => {
  if (savedInterval === undefined) delete process.env.TUTTI_MONITOR_INTERVAL_MS;
  else process.env.TUTTI_MONITOR_INTERVAL_MS = savedInterval;
});

describe('alert rules with a webhook receiver', () => {
  let receiver: Receiver;
  let p: Project;

  beforeAll(async () => {
    receiver = await startReceiver();
    p = new Project(manifest(receiver.url));
    const up = await p.tutti('up');
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
  });
  afterAll(async () => {
    await p.cleanup();
    await receiver.close();
  });

  it('lists the rule as inactive while the service is up', async () => {
    const view = await waitFor(async () => {
      const v = await p.json('alerts');
      return v.rules[0]?.lastEvaluation ? v : undefined;
    });
    expect(view.rules).toMatchObject([{ name: 'WebDown', state: 'inactive', forMs: 1000, alerts: [] }]);
    expect(receiver.payloads).toEqual([]);
  });

  it('fires after `for` once the service is stopped, and sends the Alertmanager payload', async () => {
    const stoppedAt = Date.now();
    expect((await p.tutti('stop', 'web')).code).toBe(0);
    const pending = await waitFor(async () => {
      const v = await p.json('alerts');
      return ['pending', 'firing'].includes(v.rules[0].state) ? v : undefined;
    });
    expect(pending.rules[0].alerts[0].labels).toEqual({ alertname: 'WebDown', service: 'web', severity: 'page' });

    const firing = await waitFor(() => receiver.payloads.find((x) => x.status === 'firing'), { timeout: 15_000, message: 'a firing payload' });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1000);
    expect(firing).toMatchObject({
      version: '4',
      receiver: 'tutti',
      status: 'firing',
      groupLabels: { alertname: 'WebDown' },
      commonLabels: { alertname: 'WebDown', service: 'web', severity: 'page' },
      commonAnnotations: { summary: 'web has 0 ready instances' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'WebDown', service: 'web', severity: 'page' },
          endsAt: '0001-01-01T00:00:00Z',
        },
      ],
    });
    expect(firing.alerts[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);

    const view = await p.json('alerts');
    expect(view.rules[0].state).toBe('firing');
    expect(view.rules[0].alerts[0]).toMatchObject({ state: 'firing', value: 0 });
    expect(view.rules[0].alerts[0].firedAt - view.rules[0].alerts[0].activeAt).toBeGreaterThanOrEqual(1000);

    const res = await fetch(`${p.daemon().url}/api/v1/series?metric=tutti_service_ready_instances&label.service=web&start=1m`, {
      headers: { authorization: `Bearer ${p.token()}` },
    });
    expect(res.status).toBe(200);
    const { series } = (await res.json()) as any;
    expect(series).toHaveLength(1);
    expect(series[0].labels).toEqual({ __name__: 'tutti_service_ready_instances', service: 'web' });
    const values = series[0].points.map((pt: any) => pt.v);
    expect(values).toContain(1);
    expect(values.at(-1)).toBe(0);

    const table = await p.tutti('alerts');
    expect(table.stdout).toMatch(/RULE\s+STATE\s+LABELS\s+SINCE\s+VALUE/);
    expect(table.stdout).toMatch(/WebDown\s+firing\s+service=web,severity=page\s+\S+ ago\s+0/);
  });

  it('sends a resolved payload once the service is started again', async () => {
    expect((await p.tutti('start', 'web')).code).toBe(0);
    const resolved = await waitFor(() => receiver.payloads.find((x) => x.status === 'resolved'), { timeout: 15_000, message: 'a resolved payload' });
    expect(resolved.alerts).toMatchObject([{ status: 'resolved', labels: { alertname: 'WebDown', service: 'web' } }]);
    expect(resolved.alerts[0].endsAt).not.toBe('0001-01-01T00:00:00Z');
    const view = await p.json('alerts');
    expect(view.rules[0].state).toBe('inactive');
    expect(view.rules[0].alerts[0]).toMatchObject({ state: 'resolved' });
  });

  it('refuses a malformed rule at `tutti up` with its column, leaving the stack as it was', async () => {
    const before = await p.json('ps');
    p.write('tutti.yaml', manifest(receiver.url, 'tutti_service_ready_instances{service="web" < 1'));
    const up = await p.tutti('up');
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/"when" expression of alert "WebDown" is not valid/);
    expect(up.stderr).toMatch(/at column \d+/);
    expect(up.stderr).toMatch(/tutti\.yaml:\d+:\d+/);
    const validate = await p.tutti('config', 'validate');
    expect(validate.code).not.toBe(0);
    expect(validate.stderr).toMatch(/at column \d+/);
    const after = await p.json('ps');
    expect(after.appliedAt).toBe(before.appliedAt);
    expect(after.instances.map((i: any) => i.pid)).toEqual(before.instances.map((i: any) => i.pid));
    expect((await p.json('alerts')).rules.map((r: any) => r.name)).toEqual(['WebDown']);
  });
});

describe('an unreachable webhook', () => {
  let p: Project;
  afterAll(() => p.cleanup());

  it('does not stop evaluation nor `tutti alerts` from answering', async () => {
    p = new Project(manifest(`http://127.0.0.1:${await closedPort()}/hook`));
    expect((await p.tutti('up')).code).toBe(0);
    expect((await p.tutti('stop', 'web')).code).toBe(0);
    const firing = await waitFor(async () => {
      const v = await p.json('alerts');
      return v.rules[0].state === 'firing' ? v : undefined;
    }, { timeout: 15_000, message: 'the rule to fire' });
    const first = firing.rules[0].lastEvaluation;
    // evaluation keeps going while deliveries fail and are retried
    await waitFor(async () => (await p.json('alerts')).rules[0].lastEvaluation > first + 400);
  });
});

describe('the alertmanager notify target', () => {
  let p: Project;
  const posts: Array<{ path: string; body: any }> = [];
  let server: http.Server;
  afterAll(async () => {
    await p.cleanup();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs firing and then resolved alerts to a fake Alertmanager\'s /api/v2/alerts', async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        posts.push({ path: `${req.method} ${req.url}`, body: JSON.parse(body) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    p = new Project(manifest(base).replace(`webhook: ${JSON.stringify(base)}`, `alertmanager: ${JSON.stringify(base)}`));
    expect((await p.tutti('up')).code).toBe(0);
    expect((await p.tutti('stop', 'web')).code).toBe(0);
    const firing = await waitFor(() => posts.find((x) => x.body.some((a: any) => a.labels.alertname === 'WebDown')), { timeout: 15_000, message: 'a POST to the Alertmanager' });
    expect(firing.path).toBe('POST /api/v2/alerts');
    expect(firing.body[0]).toMatchObject({
      labels: { alertname: 'WebDown', service: 'web', severity: 'page' },
      annotations: { summary: 'web has 0 ready instances' },
      startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await p.tutti('start', 'web')).code).toBe(0);
    // resolved: Prometheus sends the alert again with endsAt in the past
    const resolved = await waitFor(
      () => posts.find((x) => x.body.some((a: any) => a.endsAt && Date.parse(a.endsAt) <= Date.now() && Date.parse(a.endsAt) > Date.parse(a.startsAt))),
      { timeout: 15_000, message: 'a resolved alert' },
    );
    expect(resolved.body[0].labels).toMatchObject({ alertname: 'WebDown', service: 'web' });
  });
});

describe('alert rules after a daemon restart', () => {
  let p: Project;
  afterAll(() => p.cleanup());

  it('are evaluated again by the next daemon', async () => {
    p = new Project(manifest(`http://127.0.0.1:${await closedPort()}/hook`));
    expect((await p.tutti('up')).code).toBe(0);
    await waitFor(async () => (await p.json('alerts')).rules[0]?.lastEvaluation, { message: 'a first evaluation' });
    const daemon = p.daemon().pid;
    process.kill(daemon, 'SIGTERM');
    await waitFor(() => !alive(daemon), { message: 'the daemon to exit' });
    const restartedAt = Date.now();
    // any command starts the daemon again; it adopts the stack and its rules
    const view = await waitFor(async () => {
      const v = await p.json('alerts');
      return v.rules[0]?.lastEvaluation > restartedAt && v;
    }, { timeout: 15_000, message: 'an evaluation by the new daemon' });
    expect(p.daemon().pid).not.toBe(daemon);
    expect(view.rules).toMatchObject([{ name: 'WebDown', state: 'inactive' }]);
    expect((await p.tutti('stop', 'web')).code).toBe(0);
    await waitFor(async () => (await p.json('alerts')).rules[0].state === 'firing', { timeout: 15_000, message: 'the rule to fire after the restart' });
  });
});
