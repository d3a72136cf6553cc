// `logs` and `lastLines` of the kubernetes driver, through the pods log API (which the API
// server fetches from the pod's kubelet): each pod's lines with their timestamps, merged in
// time order across pods and filtered as the process driver filters (window, grep, level);
// with follow, one streaming read per pod, and new pods of the services are followed as they
// appear, until the signal aborts. Kubernetes keeps stdout and stderr in one stream.

import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import type { V1Pod } from '@kubernetes/client-node';
import type { LogLine } from '../../core/index.js';
import type { LogQuery } from '../contract.js';
import { AsyncQueue } from '../async-queue.js';
import { compileLineFilter, filterLine } from '../log-filter.js';
import type { ClusterCache } from './cluster-cache.js';
import type { KubeApi } from './kube-api.js';
import { serviceOfPod } from './pod-instance.js';

interface PodRef {
  pod: string;
  service: string;
  container: string;
}

/** `2024-05-01T10:00:00.123456789Z text` → time and text. */
export function parseTimestamped(raw: string): { time: number; text: string } | undefined {
  const space = raw.indexOf(' ');
  const time = Date.parse(space < 0 ? raw : raw.slice(0, space));
  if (!Number.isFinite(time)) return undefined;
  return { time, text: space < 0 ? '' : raw.slice(space + 1) };
}

/** Pods whose container has run (others have no log to read yet). */
function hasRun(pod: V1Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some((c) => c.state?.running || c.state?.terminated || c.lastState?.terminated);
}

export function selectPods(pods: V1Pod[], query: Pick<LogQuery, 'services' | 'instances'>): PodRef[] {
  const out: PodRef[] = [];
  for (const pod of pods) {
    const service = serviceOfPod(pod);
    const name = pod.metadata?.name;
    if (!service || !name || !hasRun(pod)) continue;
    if (query.services && !query.services.includes(service)) continue;
    if (query.instances && !query.instances.includes(name)) continue;
    out.push({ pod: name, service, container: pod.spec?.containers?.[0]?.name ?? service });
  }
  return out;
}

/** Reads one pod's log to the end (or, with follow, line by line until aborted). */
async function readPod(api: KubeApi, ref: PodRef, opts: { tail?: number; sinceMs?: number; follow?: boolean; previous?: boolean }, onLine: (l: LogLine) => void, signal?: AbortSignal): Promise<void> {
  const out = new PassThrough();
  const lines = createInterface({ input: out, crlfDelay: Infinity });
  const done = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (raw) => {
    const parsed = parseTimestamped(raw);
    if (parsed) onLine({ time: parsed.time, service: ref.service, instance: ref.pod, stream: 'stdout', text: parsed.text });
  });
  const read = api.podLog(ref.pod, ref.container, out, {
    timestamps: true,
    follow: opts.follow,
    ...(opts.tail !== undefined && { tailLines: opts.tail }),
    ...(opts.sinceMs !== undefined && { sinceTime: new Date(opts.sinceMs).toISOString() }),
    ...(opts.previous && { previous: true }),
  }, signal);
  await Promise.all([read, done]);
}

/** The last n lines of a pod (of its previous container when the current one has not run). */
export async function podLastLines(api: KubeApi, cache: ClusterCache, pod: string, n: number): Promise<string[]> {
  const p = cache.list('Pod').find((x) => x.metadata?.name === pod) ?? (await api.pod(pod));
  if (!p) return [];
  const status = p.status?.containerStatuses?.[0];
  const previous = !status?.state?.running && !status?.state?.terminated && status?.lastState?.terminated !== undefined;
  const ref = { pod, service: serviceOfPod(p) ?? '', container: p.spec?.containers?.[0]?.name ?? '' };
  const lines: string[] = [];
  await readPod(api, ref, { tail: n, previous }, (l) => lines.push(l.text));
  return lines;
}

export function podLogs(api: KubeApi, cache: ClusterCache, query: LogQuery, signal: AbortSignal): AsyncIterable<LogLine> {
  const out = new AsyncQueue<LogLine>();
  let filter: ReturnType<typeof compileLineFilter>;
  try {
    filter = compileLineFilter(query);
  } catch (err) {
    out.end(err);
    return out;
  }
  const follow = query.follow === true && (query.untilMs === undefined || query.untilMs >= Date.now());
  const followed = new Set<string>();
  const aborter = new AbortController();
  const onAbort = (): void => out.end();
  signal.addEventListener('abort', onAbort, { once: true });
  let unsubscribe = (): void => {};
  out.finally(() => {
    aborter.abort();
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  });

  const keep = (line: LogLine): LogLine | undefined => (query.untilMs !== undefined && line.time > query.untilMs ? undefined : filterLine(filter, line));

  void (async () => {
    const refs = selectPods(cache.list('Pod'), query);
    // tail per pod on the server only when no filter can drop lines after it
    const serverTail = query.tail !== undefined && !query.grep && !query.level && query.untilMs === undefined ? query.tail : undefined;
    const lastSeen = new Map<string, { time: number; texts: Set<string> }>();
    const history: LogLine[] = [];
    await Promise.all(refs.map((ref) => readPod(api, ref, { tail: serverTail, sinceMs: query.sinceMs }, (line) => {
      const seen = lastSeen.get(ref.pod);
      if (!seen || line.time > seen.time) lastSeen.set(ref.pod, { time: line.time, texts: new Set([line.text]) });
      else if (line.time === seen.time) seen.texts.add(line.text);
      const kept = keep(line);
      if (kept) history.push(kept);
    }, aborter.signal)));
    if (out.isEnded) return;
    history.sort((a, b) => a.time - b.time); // stable: each pod's order is kept
    for (const line of query.tail !== undefined ? history.slice(Math.max(0, history.length - query.tail)) : history) out.push(line);
    if (!follow) return out.end();

    const followPod = (ref: PodRef, since?: { time: number; texts: Set<string> }): void => {
      if (followed.has(ref.pod)) return;
      followed.add(ref.pod);
      void readPod(api, ref, { follow: true, sinceMs: since?.time ?? query.sinceMs }, (line) => {
        if (since && (line.time < since.time || (line.time === since.time && since.texts.has(line.text)))) return;
        const kept = keep(line);
        if (kept) out.push(kept);
      }, aborter.signal).catch(() => {});
    };
    for (const ref of refs) followPod(ref, lastSeen.get(ref.pod) ?? { time: 0, texts: new Set() });
    // pods that start later (a rollout, a restart) are followed from their first line
    unsubscribe = cache.onChange((kind) => {
      if (kind !== 'Pod' || out.isEnded) return;
      for (const ref of selectPods(cache.list('Pod'), query)) if (!lastSeen.has(ref.pod)) followPod(ref);
    });
    if (query.untilMs !== undefined) {
      const left = query.untilMs - Date.now();
      if (left < 2 ** 31 - 2) {
        const t = setTimeout(() => out.end(), Math.max(0, left) + 1).unref();
        out.finally(() => clearTimeout(t));
      }
    }
  })().catch((err: unknown) => out.end(err));
  return out;
}
