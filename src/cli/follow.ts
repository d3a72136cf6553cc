// Follows an operation to its end with a live progress view; returns the completing event
// and the failures seen on the way (with the failing instances' last log lines).

import type { OperationEvent, OperationInfo, TuttiClient } from '../client/index.js';
import { ProgressView } from './progress.js';

export interface FollowResult {
  ok: boolean;
  events: OperationEvent[];
  failures: OperationEvent[];
}

export async function followOperation(
  client: TuttiClient,
  op: OperationInfo,
  opts: { order: string[]; quiet?: boolean; doneLabel?: string },
): Promise<FollowResult> {
  const view = opts.quiet ? undefined : new ProgressView(opts.order, opts.doneLabel);
  const events: OperationEvent[] = [];
  let ok = false;
  for await (const e of client.followOperation(op.id)) {
    events.push(e);
    if (e.phase === 'complete') {
      ok = Boolean(e.ok);
      break;
    }
    view?.update(e);
  }
  view?.finish();
  const failures = events.filter((e) => e.phase === 'failed');
  return { ok, events, failures };
}
