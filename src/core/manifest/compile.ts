// A schema-valid manifest compiled into the StackSpec the control plane runs: defaults
// applied, durations in milliseconds, sizes in bytes, paths absolute, environments built,
// commands split, dependencies checked and ordered, selection resolved per service (the
// stack's under the service's), a revision per service. Rules the schema cannot express (a
// command for the process runtime, one port per process, …) are checked here.

import { resolve } from 'node:path';
import { parseDuration } from '../duration.js';
import { parseSize } from '../size.js';
import type { BackoffSpec, HealthSpec, LogSpec, ServiceSpec, StackSpec } from '../spec.js';
import { compileAlerts } from './alerts.js';
import { toArgv } from './command.js';
import {
  checkDependencyNames, cycleError, dependencyEntries, dependencyOrder, findCycle,
  type DependencyEntry, type RawDependsOn,
} from './dependencies.js';
import { serviceEnvironment, type ReadFile } from './environment.js';
import { compileResources } from './resources.js';
import { manifestError, problemAt, type ManifestProblem } from './problems.js';
import { serviceRevision } from './revision.js';
import { DEFAULTS, type ManifestInput, type ServiceInput } from './schema.js';
import { compileDns, compileSelection, type SelectionLayer } from './selection.js';
import type { ManifestPath, YamlSource } from './yaml-source.js';

export interface CompileContext {
  src: YamlSource;
  file: string; // absolute
  dir: string;  // absolute
  env: Record<string, string | undefined>;
  readFile?: ReadFile;
  /** overrides the manifest's `runtime:` (a command-line choice) */
  runtime?: 'process' | 'kubernetes';
  /** used when neither `runtime` nor the manifest says (the runtime the project used last); default process */
  defaultRuntime?: 'process' | 'kubernetes';
}

type LogsInput = ManifestInput['logs'];

/** Compiles a schema-valid manifest; throws TUTTI_E_MANIFEST_INVALID or TUTTI_E_DEPENDENCY_CYCLE. */
export function compileManifest(input: ManifestInput, ctx: CompileContext): { spec: StackSpec; warnings: string[] } {
  const problems: ManifestProblem[] = [];
  const warnings: string[] = [];
  const runtime = ctx.runtime ?? input.runtime ?? ctx.defaultRuntime ?? 'process';
  const names = Object.keys(input.services);
  const entries: Record<string, DependencyEntry[]> = {};
  for (const name of names) entries[name] = dependencyEntries(name, input.services[name].depends_on as RawDependsOn);

  const stackSelection: SelectionLayer = { raw: input.selection, path: ['selection'] };
  const selection = compileSelection([stackSelection], ctx.src, problems);
  const dns = compileDns(input.dns, ctx.src, problems);
  const services: Record<string, ServiceSpec> = {};
  for (const name of names) {
    const sctx: ServiceContext = { ...ctx, runtime, stackLogs: input.logs, stackSelection, entries: entries[name] };
    services[name] = compileService(name, input.services[name], sctx, problems);
  }
  problems.push(...checkDependencyNames(entries, ctx.src), ...checkFixedPorts(services, ctx.src));
  const alerts = input.alerts === undefined ? undefined : compileAlerts(input.alerts, ctx.src, problems);
  if (problems.length > 0) throw manifestError(problems, { file: ctx.file });

  const graph = Object.fromEntries(names.map((n) => [n, entries[n].map((d) => d.name)]));
  const cycle = findCycle(graph);
  if (cycle) throw cycleError(cycle, entries, ctx.src, ctx.file);
  warnings.push(...dependencyWarnings(services, entries, ctx.src));

  const spec: StackSpec = { name: input.name, file: ctx.file, dir: ctx.dir, services, order: dependencyOrder(graph), runtime, selection, dns };
  if (input.workflows !== undefined) spec.workflows = input.workflows;
  if (alerts !== undefined) spec.alerts = alerts;
  return { spec, warnings };
}

interface ServiceContext extends CompileContext {
  runtime: 'process' | 'kubernetes';
  stackLogs: LogsInput;
  stackSelection: SelectionLayer;
  entries: DependencyEntry[];
}

function ms(value: string | number): number {
  return parseDuration(value)!; // the schema only lets durations through
}

function compileService(name: string, raw: ServiceInput, ctx: ServiceContext, problems: ManifestProblem[]): ServiceSpec {
  const at = (...path: ManifestPath): ManifestPath => ['services', name, ...path];
  const command = raw.command === undefined ? [] : toArgv(raw.command);
  if (raw.command !== undefined && command.length === 0) {
    problems.push(problemAt(ctx.src, at('command'), `the command of service "${name}" is empty`));
  }
  if (ctx.runtime === 'process' && raw.command === undefined) {
    problems.push(problemAt(ctx.src, at(), `service "${name}" has no command, which the process runtime needs to start it`, { key: true }));
  }
  if (ctx.runtime === 'kubernetes' && raw.image === undefined) {
    problems.push(problemAt(ctx.src, at(), `service "${name}" has no image, which the kubernetes runtime needs to run it`, { key: true }));
  }
  const replicas = raw.replicas ?? DEFAULTS.replicas;
  const port = raw.port ?? DEFAULTS.port;
  if (replicas > 1 && port !== 0) {
    problems.push(problemAt(ctx.src, at('port'),
      `service "${name}" has ${replicas} replicas on the fixed port ${port}, but two processes cannot bind one port; use port: 0 to allocate one per instance`));
  }
  const backoff = compileBackoff(raw.backoff);
  if (backoff.maxMs < backoff.initialMs) {
    problems.push(problemAt(ctx.src, at('backoff'), `backoff.max of service "${name}" is shorter than backoff.initial`));
  }
  const environment = serviceEnvironment(name, raw, ctx, problems);
  const resources = raw.resources === undefined ? undefined : compileResources(name, raw.resources, ctx.src, problems);
  const spec: Omit<ServiceSpec, 'revision'> = {
    name,
    command,
    ...(raw.image !== undefined && { image: raw.image }),
    cwd: resolve(ctx.dir, raw.cwd ?? DEFAULTS.cwd),
    env: environment.env,
    ...(environment.secret.length > 0 && { secretEnv: environment.secret }),
    ...(resources !== undefined && { resources }),
    replicas,
    port,
    ...(raw.health !== undefined && { health: compileHealth(name, raw.health, ctx, problems) }),
    dependsOn: Object.fromEntries(ctx.entries.map((d) => [d.name, d.condition])),
    restart: raw.restart ?? DEFAULTS.restart,
    backoff,
    stopSignal: raw.stop_signal ?? DEFAULTS.stop_signal,
    stopGraceMs: ms(raw.stop_grace ?? DEFAULTS.stop_grace),
    importance: raw.importance ?? DEFAULTS.importance,
    readyTimeoutMs: ms(raw.ready_timeout ?? DEFAULTS.ready_timeout),
    logs: compileLogs(name, raw.logs, ctx, problems),
    protocol: raw.protocol ?? DEFAULTS.protocol,
    selection: compileSelection([ctx.stackSelection, { raw: raw.selection, path: at('selection') }], ctx.src, problems),
    ...(raw.metrics !== undefined && { metricsPath: raw.metrics }),
  };
  return { ...spec, revision: serviceRevision(spec) };
}

function compileHealth(name: string, raw: NonNullable<ServiceInput['health']>, ctx: ServiceContext, problems: ManifestProblem[]): HealthSpec {
  const kinds = (['http', 'tcp', 'exec'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? 'none' : kinds.join(' and ');
    problems.push(problemAt(ctx.src, ['services', name, 'health'], `the health check of service "${name}" needs exactly one of http, tcp or exec (found ${found})`));
  }
  const d = DEFAULTS.health;
  return {
    ...(raw.http !== undefined && { http: raw.http }),
    ...(raw.tcp !== undefined && { tcp: true }),
    ...(raw.exec !== undefined && { exec: toArgv(raw.exec) }),
    intervalMs: ms(raw.interval ?? d.interval),
    timeoutMs: ms(raw.timeout ?? d.timeout),
    healthyAfter: raw.healthy_after ?? d.healthy_after,
    unhealthyAfter: raw.unhealthy_after ?? d.unhealthy_after,
    startPeriodMs: ms(raw.start_period ?? d.start_period),
  };
}

function compileBackoff(raw: ServiceInput['backoff']): BackoffSpec {
  const d = DEFAULTS.backoff;
  return {
    initialMs: ms(raw?.initial ?? d.initial),
    factor: raw?.factor ?? d.factor,
    maxMs: ms(raw?.max ?? d.max),
    resetAfterMs: ms(raw?.reset_after ?? d.reset_after),
  };
}

/** Per-service logs settings win key by key over the stack's `logs:`, which wins over defaults. */
function compileLogs(name: string, raw: ServiceInput['logs'], ctx: ServiceContext, problems: ManifestProblem[]): LogSpec {
  const size = raw?.max_size ?? ctx.stackLogs?.max_size ?? DEFAULTS.logs.max_size;
  const maxBytes = parseSize(size);
  if (maxBytes === undefined) {
    const path = raw?.max_size !== undefined ? ['services', name, 'logs', 'max_size'] : ['logs', 'max_size'];
    problems.push(problemAt(ctx.src, path, `logs.max_size must be more than 0 bytes, got ${JSON.stringify(size)}`));
  }
  const age = raw?.max_age ?? ctx.stackLogs?.max_age ?? DEFAULTS.logs.max_age;
  const maxAgeMs = ms(age);
  if (maxAgeMs <= 0) {
    const path = raw?.max_age !== undefined ? ['services', name, 'logs', 'max_age'] : ['logs', 'max_age'];
    problems.push(problemAt(ctx.src, path, `logs.max_age must be longer than 0, got ${JSON.stringify(age)}`));
  }
  return { maxBytes: maxBytes ?? 1, maxFiles: raw?.max_files ?? ctx.stackLogs?.max_files ?? DEFAULTS.logs.max_files, maxAgeMs };
}

function checkFixedPorts(services: Record<string, ServiceSpec>, src: YamlSource): ManifestProblem[] {
  const owner = new Map<number, string>();
  const problems: ManifestProblem[] = [];
  for (const s of Object.values(services)) {
    if (s.port === 0) continue;
    const first = owner.get(s.port);
    if (first === undefined) owner.set(s.port, s.name);
    else problems.push(problemAt(src, ['services', s.name, 'port'], `services "${first}" and "${s.name}" both use the fixed port ${s.port}; use port: 0 for one of them`));
  }
  return problems;
}

/** Dependencies that are valid but will not behave as their author probably expects. */
function dependencyWarnings(services: Record<string, ServiceSpec>, entries: Record<string, DependencyEntry[]>, src: YamlSource): string[] {
  const warnings: string[] = [];
  for (const [name, deps] of Object.entries(entries)) {
    for (const dep of deps) {
      const target = services[dep.name];
      if (dep.condition === 'completed' && target.restart === 'always') {
        warnings.push(problemAt(src, dep.path,
          `service "${name}" waits for "${dep.name}" to complete, but "${dep.name}" has restart: always and is restarted instead; use restart: on-failure or never`, { key: dep.key }).message);
      } else if (dep.condition === 'healthy' && !target.health) {
        warnings.push(problemAt(src, dep.path,
          `service "${name}" waits for "${dep.name}" to be healthy, but "${dep.name}" has no health check, so it counts as healthy once it has stayed up 500 ms`, { key: dep.key }).message);
      }
    }
  }
  return warnings;
}
