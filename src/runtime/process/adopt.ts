// What a new daemon does with the instances an earlier one left behind (InstanceStore records):
// a process that is still the same process (pid alive and start time equal) is adopted as it
// runs — same pid, no restart, output readers reopened, probes resumed; a dead one gets its
// restart policy applied at once from its stored spec; one that was being stopped when the
// daemon died is stopped and forgotten, as the daemon meant to (or, when it was being stopped
// to be restarted, over its memory limit, stopped and restarted).

import type { Logger } from 'pino';
import type { InstanceRecord } from '../contract.js';
import type { InstanceCounters } from './counters.js';
import { instanceNumber } from './counters.js';
import { removeFifo } from './fifo.js';
import { InstanceSupervisor, type SupervisorContext } from './instance-supervisor.js';
import { parseInstanceData } from './instance-record.js';
import { stopGroup } from './process-group.js';
import { isSameProcess } from './process-identity.js';

export interface RestoreOptions {
  ctx: SupervisorContext;
  counters: InstanceCounters;
  logger?: Logger;
}

export async function restoreInstances(records: InstanceRecord[], opts: RestoreOptions): Promise<InstanceSupervisor[]> {
  const restored: InstanceSupervisor[] = [];
  for (const record of records) {
    const data = parseInstanceData(record.data);
    if (!data) {
      opts.logger?.warn({ instance: record.id }, 'ignoring an instance record of an unknown format');
      continue;
    }
    const n = instanceNumber(record.id);
    if (n !== undefined) opts.counters.atLeast(data.service, n);
    const alive = data.pid !== undefined && isSameProcess(data.pid, data.startTime);

    if (data.state === 'stopping' && data.stopCause !== undefined) {
      // the previous daemon was restarting it (memory limit passed): finish the stop, then the
      // restart policy applies to it as to any exit
      if (alive) await stopGroup(data.pid!, data.spec.stopSignal, data.spec.stopGraceMs);
      const sup = InstanceSupervisor.restore(opts.ctx, record.id, data);
      restored.push(sup);
      sup.recover();
      opts.logger?.info({ instance: record.id }, 'finished stopping an instance over its memory limit, to restart it');
      continue;
    }

    if (data.state === 'stopping') {
      // the previous daemon was stopping it (scale down, rollout, remove): finish the job
      if (alive) await stopGroup(data.pid!, data.spec.stopSignal, data.spec.stopGraceMs);
      await Promise.all([removeFifo(data.fifos.stdout), removeFifo(data.fifos.stderr)]);
      await opts.ctx.store.delete(record.id);
      opts.logger?.info({ instance: record.id }, 'finished stopping an instance left half-stopped');
      continue;
    }

    const sup = InstanceSupervisor.restore(opts.ctx, record.id, data);
    restored.push(sup);
    if (alive) {
      sup.adopt();
      opts.logger?.info({ instance: record.id, pid: data.pid }, 'adopted running instance');
    } else {
      sup.recover();
      if (data.pid !== undefined) opts.logger?.info({ instance: record.id, pid: data.pid }, 'instance died while no daemon was running');
    }
  }
  return restored;
}
