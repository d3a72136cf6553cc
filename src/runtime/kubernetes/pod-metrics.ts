// The pods' CPU and memory as the cluster's metrics API (metrics.k8s.io, served by
// metrics-server) reports them, as the runtime contract's stats(): by instance id (the pod's
// name), CPU as a percent of one core, memory as the working set in bytes, each the sum over
// the pod's containers. A cluster without that API has nothing to report: an empty answer,
// not an error.
//
// The API gives a CPU rate (averaged over a window ending at the reading's timestamp), while
// `tutti top` and alert rules take rate() of tutti_instance_cpu_seconds_total, a counter; the
// reader makes that counter by adding rate × time between one reading and the next it sees,
// from 0 when it first sees a pod. It needs two readings, so only a reader that lives as long
// as the runtime reports cpuSeconds.
//
// stats() is polled (the monitor samples every few seconds, `/metrics` on each scrape), so a
// metrics API that fails otherwise (403: RBAC lacks get/list on metrics.k8s.io pods; 503:
// metrics-server down) must not throw each time: the answer is {}, and the failure is passed
// to `warn` once — again only when it changes, or comes back after a success.

import { TuttiError } from '../../core/index.js';
import type { KubeApi } from './kube-api.js';
import { cpuPercent, memoryBytes } from './quantity.js';

export type PodStats = Record<string, { cpu: number; memory: number; cpuSeconds?: number }>;

type MetricsApi = Pick<KubeApi, 'podMetrics'>;

/** PodMetrics (metrics.k8s.io/v1beta1) as far as it is read here. */
interface PodMetricsItem {
  metadata?: { name?: string };
  timestamp?: string;
  containers?: Array<{ name?: string; usage?: { cpu?: string | number; memory?: string | number } }>;
}

interface Reading {
  pods: Map<string, { cpu: number; memory: number; at: number | undefined }>;
  /** the API answered (even if some pod's figures could not be read) */
  answered: boolean;
  /** why a pod was left out, or the API failed */
  failure?: TuttiError;
}

/** One pod's usage, summed over its containers; undefined when it reports no container yet. */
export function podUsage(item: PodMetricsItem): { cpu: number; memory: number } | undefined {
  const containers = item.containers ?? [];
  if (containers.length === 0) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const c of containers) {
    const where = `of container ${c.name ?? '?'} of pod ${item.metadata?.name ?? '?'} in the metrics API`;
    if (c.usage?.cpu !== undefined) cpu += cpuPercent(String(c.usage.cpu), `the cpu usage ${where}`);
    if (c.usage?.memory !== undefined) memory += memoryBytes(String(c.usage.memory), `the memory usage ${where}`);
  }
  return { cpu, memory };
}

async function readPods(api: MetricsApi, labelSelector: string): Promise<Reading> {
  const pods: Reading['pods'] = new Map();
  let items: unknown[] | undefined;
  try {
    items = await api.podMetrics(labelSelector);
  } catch (err) {
    const failure = err instanceof TuttiError ? err : new TuttiError('TUTTI_E_UNAVAILABLE', `cannot read pod metrics: ${String(err)}`, { cause: err });
    return { pods, answered: false, failure };
  }
  let failure: TuttiError | undefined;
  for (const item of (items ?? []) as Array<PodMetricsItem | null>) {
    const name = item?.metadata?.name;
    if (!name) continue;
    try {
      const usage = podUsage(item);
      const at = item.timestamp ? Date.parse(item.timestamp) : Number.NaN;
      if (usage) pods.set(name, { ...usage, at: Number.isNaN(at) ? undefined : at });
    } catch (err) {
      // one pod's unreadable figure leaves that pod out, not the others
      failure ??= err as TuttiError;
    }
  }
  return { pods, answered: true, failure };
}

/** One reading of CPU (percent of one core) and working-set memory (bytes); no CPU seconds, failures answer {}. */
export async function podStats(api: MetricsApi, labelSelector: string): Promise<PodStats> {
  const { pods } = await readPods(api, labelSelector);
  return Object.fromEntries([...pods].map(([name, { cpu, memory }]) => [name, { cpu, memory }]));
}

/** The runtime's stats(): readings over its lifetime, with CPU seconds counted and failures told once. */
export class PodStatsReader {
  private readonly clocks = new Map<string, { at: number; seconds: number }>();
  private lastFailure: string | undefined;

  constructor(
    private readonly api: MetricsApi,
    private readonly labelSelector: string,
    private readonly warn: (err: TuttiError) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(): Promise<PodStats> {
    const { pods, answered, failure } = await readPods(this.api, this.labelSelector);
    if (failure && failure.message !== this.lastFailure) this.warn(failure);
    this.lastFailure = failure?.message;

    const out: PodStats = {};
    for (const [name, { cpu, memory, at = this.now() }] of pods) {
      const clock = this.clocks.get(name) ?? { at, seconds: 0 };
      if (at > clock.at) {
        clock.seconds += (cpu / 100) * ((at - clock.at) / 1000);
        clock.at = at;
      }
      this.clocks.set(name, clock);
      out[name] = { cpu, memory, cpuSeconds: clock.seconds };
    }
    // a failed read says nothing about which pods are gone
    if (answered) for (const name of this.clocks.keys()) if (!pods.has(name)) this.clocks.delete(name);
    return out;
  }
}
