// `tutti instances SERVICE`: a service's instances as the registry holds them (local ones tutti
// runs and external ones registered from outside) and, with --scores, how the balancer rates
// each one: every term of score = Σ aᵢ·fᵢ, the weights aᵢ, in-flight requests and ejections.

import type { Command } from 'commander';
import pc from 'picocolors';
import { formatDuration } from '../../core/index.js';
import type { QosWeights, RegistryInstance, RegistryScores, ScoredInstance } from '../../client/index.js';
import { colourState, printJson, table, type GlobalOptions } from '../output.js';
import { connectRegistry } from './register.js';

export const INSTANCE_HEADERS = ['ID', 'ADDRESS', 'STATUS', 'SOURCE', 'TAGS', 'OUTPUT'];
export const SCORE_HEADERS = ['ID', 'ADDRESS', 'STATUS', 'LATENCY', 'SUCCESS', 'LOAD', 'HEALTH', 'SCORE', 'IN-FLIGHT', 'EJECTED'];

interface InstancesFlags {
  healthy?: boolean;
  tag?: string[];
  scores?: boolean;
}

const MAX_OUTPUT = 60;

export function addressOf(i: Pick<RegistryInstance, 'address' | 'port'>): string {
  return `${i.address.includes(':') ? `[${i.address}]` : i.address}:${i.port}`;
}

function clip(text: string | undefined): string {
  if (!text) return '-';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_OUTPUT ? `${line.slice(0, MAX_OUTPUT - 1)}…` : line;
}

export function instanceRows(instances: readonly RegistryInstance[]): string[][] {
  return instances.map((i) => [
    i.id,
    addressOf(i),
    colourState(i.status),
    i.source,
    i.tags.length === 0 ? '-' : i.tags.join(','),
    clip(i.output),
  ]);
}

const term = (x: number) => x.toFixed(2);

/** "weights: latency 0.45 · success 0.30 · load 0.15 · health 0.10 · strategy qos" */
export function weightsLine(weights: QosWeights, strategy: string): string {
  const parts = (['latency', 'success', 'load', 'health'] as const).map((k) => `${k} ${term(weights[k])}`);
  return `weights: ${parts.join(' · ')} · strategy ${strategy}`;
}

/** One row per instance of the list; critical ones (never candidates) have no score. */
export function scoreRows(instances: readonly RegistryInstance[], scored: readonly ScoredInstance[], now: number): string[][] {
  const byId = new Map(scored.map((s) => [s.id, s]));
  return instances.map((i) => {
    const s = byId.get(i.id);
    const head = [i.id, addressOf(i), colourState(i.status)];
    if (!s) return [...head, '-', '-', '-', '-', '-', '-', '-'];
    const latency = s.latencyEwmaMs === undefined ? term(s.terms.latency) : `${term(s.terms.latency)} (${formatLatency(s.latencyEwmaMs)})`;
    const ejected = s.ejectedUntil !== undefined && s.ejectedUntil > now ? pc.red(`for ${formatDuration(s.ejectedUntil - now)}`) : '-';
    return [...head, latency, term(s.terms.success), term(s.terms.load), term(s.terms.health), pc.bold(term(s.score)), String(s.inFlight), ejected];
  });
}

function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerInstances(program: Command): void {
  program
    .command('instances')
    .description("list a service's instances from the registry, or with --scores how the balancer rates them")
    .argument('<service>', 'the service')
    .option('--healthy', 'only passing and warning instances')
    .option('--tag <tag>', 'only instances with this tag (repeatable: all must match)', collect)
    .option('--scores', 'show the QoS score of each instance, term by term')
    .action(async (service: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions & InstancesFlags>();
      const client = await connectRegistry(g);
      const list = await client.registryInstances(service, { healthy: g.healthy, tags: g.tag });
      if (!g.scores) {
        if (g.json) return printJson(list);
        return printInstances(service, list.instances);
      }
      const scores: RegistryScores = await client.registryScores(service);
      const ids = new Set(list.instances.map((i) => i.id));
      const shown = { ...scores, instances: scores.instances.filter((s) => ids.has(s.id)) };
      if (g.json) return printJson(shown);
      process.stdout.write(pc.dim(weightsLine(scores.weights, scores.strategy)) + '\n');
      if (list.instances.length === 0) return printInstances(service, []);
      process.stdout.write(table(SCORE_HEADERS, scoreRows(list.instances, shown.instances, Date.now())) + '\n');
    });
}

function printInstances(service: string, instances: readonly RegistryInstance[]): void {
  if (instances.length === 0) {
    process.stdout.write(pc.dim(`no instances of ${service} match`) + '\n');
    return;
  }
  process.stdout.write(table(INSTANCE_HEADERS, instanceRows(instances)) + '\n');
}
