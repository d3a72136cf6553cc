// Pure: the newest Warning event about some objects, as "reason: message" — what a stalled
// rollout or Job start reports as its cause (FailedScheduling, FailedCreate, probe failures…).

import type { CoreV1Event } from '@kubernetes/client-node';

const time = (e: CoreV1Event): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();

export function newestWarning(events: CoreV1Event[], about: (involvedName: string, involvedKind: string | undefined) => boolean): string | undefined {
  const warnings = events.filter((e) => e.type === 'Warning' && about(e.involvedObject?.name ?? '', e.involvedObject?.kind)).sort((a, b) => time(b) - time(a));
  const e = warnings[0];
  return e ? `${e.reason}: ${e.message}` : undefined;
}
