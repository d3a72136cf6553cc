// The control-plane daemon: wires the store, the runtime (local processes, or a Kubernetes
// cluster: daemon-runtime.ts), the registry with its DNS
// interface, the orchestrator, the HTTP API and the monitor (metrics, series, alert rules)
// together for one project, records
// where it listens in `.tutti/daemon.json`, and shuts down in order (stop intake, let go of instances so the next daemon adopts them,
// close the database). It never stops the stack's processes on its own exit: `tutti down` does.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import pino from 'pino';
import { createOrchestrator } from '../orchestrator/index.js';
import { createProber } from '../registry/index.js';
import { createProcessRuntime } from '../runtime/process/index.js';
import { openSqliteStore } from '../store/index.js';
import { TuttiError } from '../core/index.js';
import { chooseRuntime, createKubernetesFor, rememberRuntime, type RuntimeChoice } from './daemon-runtime.js';
import { createMonitorControl, withMonitor, type MonitorControl } from './monitor-control.js';
import { buildApp } from './app.js';
import { choosePort, rememberPort } from './daemon-port.js';
import { startDiscovery, withDiscovery } from './discovery.js';
// light doors: the workflow engine itself loads once a workflow exists (lazy-service.ts)
import { createLazyWorkflowService, serviceResolver, stackWorkflows } from '../workflow/service/index.js';
import { createEventBus } from '../workflow/events/event-bus.js';
import { WorkflowRecorder } from '../monitor/metrics/workflow-recorder.js';

const require = createRequire(import.meta.url);
const VERSION: string = (require('../../package.json') as { version: string }).version;

export interface DaemonOptions {
  dir: string;
  host?: string;
  port?: number;
  /** the runtime to drive the stack with (default: the one the project used last, else process) */
  runtime?: RuntimeChoice['runtime'];
  /** kubernetes: the kubeconfig context and namespace */
  context?: string;
  namespace?: string;
}

export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const dir = path.resolve(opts.dir);
  const stateDir = path.join(dir, '.tutti');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const logger = pino({ level: process.env.TUTTI_LOG_LEVEL ?? 'info', base: { pid: process.pid } });
  refuseSecondDaemon(stateDir);
  // one token per role: `token` is the admin's (the CLI uses it); hand out the others to
  // what should only read (viewer: scrapers, dashboards), only act on services (operator) or
  // only register instances (service: given to the services tutti starts as TUTTI_TOKEN)
  const serviceToken = ensureToken(stateDir, 'service.token');
  const tokens = {
    [ensureToken(stateDir, 'token')]: 'admin',
    [ensureToken(stateDir, 'operator.token')]: 'operator',
    [serviceToken]: 'service',
    [ensureToken(stateDir, 'viewer.token')]: 'viewer',
  } as const;

  const store = await openSqliteStore(path.join(stateDir, 'state.db'));
  const saved = await store.stack.get();
  let chosen: RuntimeChoice = { runtime: 'process' };
  const runtime = await (async () => {
    const choice = await chooseRuntime({ runtime: opts.runtime, context: opts.context, namespace: opts.namespace }, store.meta, saved !== undefined);
    if (choice.runtime === 'process') {
      await rememberRuntime(store.meta, (chosen = choice), stateDir);
      return createProcessRuntime({ stateDir, prober: createProber(), store: store.instances, logger });
    }
    const k8s = await createKubernetesFor(choice, saved?.spec.name, logger);
    // the context and namespace as resolved: the kubeconfig's current context or the context's
    // namespace may change later; the stack stays where it is
    await rememberRuntime(store.meta, (chosen = { ...choice, context: k8s.context, namespace: k8s.namespace }), stateDir);
    logger.info({ context: choice.context, namespace: k8s.namespace }, 'services run on kubernetes');
    return k8s;
  })().catch(async (err: unknown) => {
    await store.close().catch(() => {});
    throw err;
  });
  const bindHost = opts.host ?? '127.0.0.1';
  const port = await choosePort(bindHost, opts.port, store.meta);
  // what the services tutti starts use to reach the control plane (client SDK)
  const instanceEnv = { TUTTI_URL: `http://${loopbackFor(bindHost)}:${port}`, TUTTI_TOKEN: serviceToken };
  const discovery = await startDiscovery({ store, logger, stack: saved?.spec });
  // the stable endpoints report every request to the monitor, which reads the orchestrator
  let recorder: MonitorControl | undefined;
  const orchestrator = await createOrchestrator({ store, runtime, logger, registry: discovery.registry, instanceEnv, onOutcome: (o) => recorder?.record(o) });
  const workflowMetrics = new WorkflowRecorder();
  const monitor = (recorder = createMonitorControl({ orchestrator, events: store.events, logger, registry: discovery.registry, workflows: workflowMetrics }));
  // an adopted stack is sampled, and its rules evaluated, again after a daemon restart
  await monitor.setStack(saved?.spec).catch(() => {});

  // workflows run here: `http://<service>/…` goes through the stack's stable endpoints (or a
  // registered instance); run.shell / run.script only when the environment allows them
  const eventBus = createEventBus();
  const workflows = createLazyWorkflowService({
    store: store.workflows,
    meta: store.meta,
    logger,
    resolveService: serviceResolver({ orchestrator, registry: discovery.registry }),
    events: eventBus,
    allowRun: { shell: process.env.TUTTI_ALLOW_RUN_SHELL === '1', script: process.env.TUTTI_ALLOW_RUN_SCRIPT === '1' },
    logDir: path.join(stateDir, 'logs'),
    cwd: dir,
    metrics: workflowMetrics,
  });
  // manifest workflows deployed on up; runs stopped before down and resumed once a stack is up
  const stackFlows = stackWorkflows(withDiscovery(withMonitor(orchestrator, monitor), discovery), workflows, { meta: store.meta, logger });

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info({ reason }, 'control plane stopping');
      await app.close().catch(() => {});
      // before the orchestrator lets go of the endpoints the runs call; runs stay `running` and resume next start
      await workflows.close().catch((err) => logger.error({ err }, 'stopping the workflow runs failed'));
      await monitor.close().catch(() => {});
      await orchestrator.close().catch((err) => logger.error({ err }, 'detaching instances failed'));
      await discovery.close().catch(() => {});
      await store.close().catch(() => {});
      removeDaemonInfo(stateDir);
      logger.info('control plane stopped');
    })();
    return closing;
  };

  const app = await buildApp({
    orchestrator: stackFlows.orchestrator,
    registry: discovery.registry,
    dns: () => discovery.dns(),
    monitor: () => monitor.monitor(),
    metrics: monitor.metrics,
    workflows,
    eventBus,
    history: store.events,
    tokens,
    logger: false,
    version: VERSION,
    runtime: { name: chosen.runtime, ...(chosen.context !== undefined && { context: chosen.context }), ...(chosen.namespace !== undefined && { namespace: chosen.namespace }) },
    onShutdown: () => void shutdown('shutdown requested').then(() => process.exit(0)),
  });
  await app.listen({ host: bindHost, port }).catch(async (err: NodeJS.ErrnoException) => {
    // taken since it was chosen; services started from now on get a stale TUTTI_URL until the next restart
    if (opts.port || err.code !== 'EADDRINUSE') throw err;
    await app.listen({ host: bindHost, port: 0 });
  });
  const address = app.server.address() as AddressInfo;
  await rememberPort(address.port, store.meta);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  writeDaemonInfo(stateDir, {
    pid: process.pid,
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    startedAt: Date.now(),
    version: VERSION,
    dns: discovery.dns(),
  });
  logger.info({ url: `http://${host}:${address.port}`, dir }, 'control plane listening');
  // runs a stopped control plane left running go on (a no-op, engine not loaded, without workflows)
  await stackFlows.start();

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => void shutdown(sig).then(() => process.exit(0)));
  }
}

/** Two control planes on one state folder would both supervise the same processes. */
function refuseSecondDaemon(stateDir: string): void {
  let info: { pid?: number; url?: string } | undefined;
  try {
    info = JSON.parse(readFileSync(path.join(stateDir, 'daemon.json'), 'utf8'));
  } catch {
    return;
  }
  const pid = info?.pid;
  if (!pid || pid === process.pid) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running (or no /proc: the CLI's start lock is the only guard there)
  }
  if (!/server[\\/](main|daemon\.bundle)\.js|tutti/.test(cmdline)) return; // a recycled pid
  throw new TuttiError('TUTTI_E_CONFLICT', `another tutti control plane (pid ${pid}, ${info?.url ?? 'unknown address'}) already runs for ${path.dirname(stateDir)}`, {
    hint: 'use that one (tutti ps), or stop it first (tutti down)',
  });
}

function ensureToken(stateDir: string, name: string): string {
  const file = path.join(stateDir, name);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) {
      chmodSync(file, 0o600);
      return existing;
    }
  } catch {
    // no token yet
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

function writeDaemonInfo(stateDir: string, info: object): void {
  const tmp = path.join(stateDir, `daemon.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, path.join(stateDir, 'daemon.json'));
}

function removeDaemonInfo(stateDir: string): void {
  const file = path.join(stateDir, 'daemon.json');
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    if (info.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** Where a local client reaches a server bound to `host` (a wildcard is reached on loopback). */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
