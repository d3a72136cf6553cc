// apply-job: deleting the previous Job reports an abort as an abort, and a Job still there
// after the stop timeout as such.

import type { V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ApplyContext } from './apply-service.js';
import { deleteJob } from './apply-job.js';

const job: V1Job = { metadata: { name: 'migrate', uid: 'job-1' } };

/** A cluster where the deleted Job stays (its pods stop slowly). */
function lingering(): ApplyContext {
  return {
    api: { delete: async () => {} },
    cache: { get: () => job, forget: () => {}, onChange: () => () => {} },
    stack: 'shop',
    service: 'migrate',
  } as unknown as ApplyContext;
}

describe('deleteJob', () => {
  it('reports an abort while the old Job is being deleted as an abort', async () => {
    const controller = new AbortController();
    const deleting = deleteJob(lingering(), job, { stopTimeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(deleting).rejects.toThrow(/^aborted while waiting for the previous Job migrate to be deleted/);
  });

  it('reports a Job still there after the stop timeout', async () => {
    await expect(deleteJob(lingering(), job, { stopTimeoutMs: 20, signal: new AbortController().signal }))
      .rejects.toThrow(/^the previous Job migrate was not gone within 0s of its deletion/);
  });
});
