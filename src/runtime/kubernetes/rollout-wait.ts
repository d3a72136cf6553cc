// Follows one Deployment's rollout on the cluster caches' changes (watches, no polling) until
// the rollout is complete or has failed, reporting each new pod as it starts and gets ready
// and each old one as it stops. It fails early on what does not cure itself (see
// rollout-status.ts) and, as the process driver does, when nothing moves for the service's
// ready_timeout; the reason then comes from the namespace's Warning events about the new pods,
// their ReplicaSet or the Deployment (probe failures, scheduling, quota, RBAC refusals).

import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../../core/index.js';
import type { Progress } from '../contract.js';
import type { ClusterCache } from './cluster-cache.js';
import { isPodOfTemplate, podReady, rolloutVerdict, templateKey } from './rollout-status.js';
import { serviceOfPod } from './pod-instance.js';
import { newestWarning } from './warning-events.js';

export type RolloutOutcome = { ok: true } | { ok: false; message: string; pod?: string };

export interface RolloutWatch {
  cache: ClusterCache;
  service: string;
  deployment: string;
  /** no change for this long fails the rollout */
  timeoutMs: number;
  signal: AbortSignal;
  push(p: Progress): void;
  /** the namespace's events, read when the rollout stalls */
  events(): Promise<CoreV1Event[]>;
  /** the service's pods before the change was applied: not reported as starting or ready */
  before?: ReadonlySet<string>;
}

export function waitForRollout(w: RolloutWatch): Promise<RolloutOutcome> {
  return new Promise<RolloutOutcome>((resolve) => {
    const started = new Set<string>(w.before);
    const ready = new Set<string>(w.before);
    const stopping = new Set<string>();
    let signature = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const podsOf = (): V1Pod[] => w.cache.list('Pod').filter((p) => serviceOfPod(p) === w.service);
    const finish = (outcome: RolloutOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      w.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    const report = (d: V1Deployment, pods: V1Pod[]): void => {
      const key = templateKey(d.spec?.template.metadata?.annotations);
      const alive = new Set(pods.map((p) => p.metadata!.name!));
      for (const p of pods) {
        const name = p.metadata!.name!;
        if (p.metadata?.deletionTimestamp) {
          if (!stopping.has(name)) {
            stopping.add(name);
            w.push({ service: w.service, phase: 'stopping', instance: name });
          }
          continue;
        }
        if (!isPodOfTemplate(p, key) || w.before?.has(name)) continue;
        if (!started.has(name)) {
          started.add(name);
          w.push({ service: w.service, phase: 'starting', instance: name });
        }
        if (podReady(p) && !ready.has(name)) {
          ready.add(name);
          w.push({ service: w.service, phase: 'ready', instance: name });
        }
      }
      // old pods that went away without being seen terminating (deleted at once)
      for (const name of [...known]) {
        if (!alive.has(name) && !stopping.has(name) && !started.has(name)) {
          stopping.add(name);
          w.push({ service: w.service, phase: 'stopping', instance: name });
        }
      }
      known = alive;
    };
    let known = new Set(podsOf().map((p) => p.metadata!.name!));

    const check = (): void => {
      if (settled) return;
      const d = w.cache.get('Deployment', w.deployment);
      if (!d) return finish({ ok: false, message: `Deployment ${w.deployment} was deleted during the rollout` });
      const pods = podsOf();
      report(d, pods);
      const verdict = rolloutVerdict(d, pods);
      if (verdict.state === 'done') return finish({ ok: true });
      if (verdict.state === 'failed') return finish({ ok: false, message: verdict.reason, pod: verdict.pod });
      const now = JSON.stringify([d.status?.observedGeneration, d.status?.replicas, d.status?.updatedReplicas, d.status?.readyReplicas, d.status?.availableReplicas, [...started].sort(), [...ready].sort()]);
      if (now !== signature) {
        signature = now;
        clearTimeout(timer);
        timer = setTimeout(() => void stalled(verdict.reason), w.timeoutMs);
      }
    };

    const stalled = async (waitingFor: string): Promise<void> => {
      if (settled) return;
      const d = w.cache.get('Deployment', w.deployment);
      const key = templateKey(d?.spec?.template.metadata?.annotations);
      const fresh = podsOf().filter((p) => isPodOfTemplate(p, key) && !p.metadata?.deletionTimestamp);
      const unready = fresh.find((p) => !podReady(p));
      const why = await warningAbout(w, fresh).catch(() => undefined);
      const within = `within ${formatPrecise(w.timeoutMs)}`;
      const message = unready
        ? `pod ${unready.metadata!.name} did not become ready ${within}: ${why ?? waitingFor}`
        : `the rollout made no progress ${within}: ${why ?? waitingFor}`;
      finish({ ok: false, message, pod: unready?.metadata?.name });
    };

    const onAbort = (): void => finish({ ok: false, message: `aborted while waiting for the rollout of ${w.service}` });
    w.signal.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = w.cache.onChange((kind, _type, object) => {
      if (kind === 'Pod' ? serviceOfPod(object as V1Pod) === w.service : kind === 'Deployment' && object.metadata?.name === w.deployment) check();
    });
    if (w.signal.aborted) onAbort();
    else check();
  });
}

/** The newest Warning event about the new pods, their ReplicaSet or the Deployment: "reason: message". */
async function warningAbout(w: RolloutWatch, pods: V1Pod[]): Promise<string | undefined> {
  const names = new Set(pods.map((p) => p.metadata!.name!));
  return newestWarning(await w.events(), (name, kind) =>
    names.has(name) || name === w.deployment || (kind === 'ReplicaSet' && name.startsWith(`${w.deployment}-`)));
}

/** 1.5s rather than 1s: a timeout the user set reads as they set it. */
function formatPrecise(ms: number): string {
  if (ms > 1000 && ms < 60_000 && ms % 1000 !== 0) return `${Number((ms / 1000).toFixed(2))}s`;
  return formatDuration(ms);
}
