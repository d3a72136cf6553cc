import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TuttiError } from '../../core/index.js';
import { TestOrchestrator } from '../../server/test-orchestrator.js';
import { testStackSpec, waitFor } from '../../server/test-app.js';
import { deployManifestWorkflows, stackWorkflows } from './stack-workflows.js';
import type { WorkflowSourceFile } from './types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tutti-stack-workflows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakes() {
  const calls: string[] = [];
  const deployed: WorkflowSourceFile[][] = [];
  const values = new Map<string, string>();
  const workflows = {
    deployAll: async (docs: WorkflowSourceFile[]) => {
      deployed.push(docs);
      if (docs.some((d) => d.source.includes('bad'))) throw new TuttiError('TUTTI_E_BAD_REQUEST', `${docs[0].file}: bad`);
      calls.push('deploy');
      return [];
    },
    detach: async () => void calls.push('detach'),
    resumeUnfinished: async () => void calls.push('resume'),
  };
  const meta = { get: async (k: string) => values.get(k), set: async (k: string, v: string) => void values.set(k, v) };
  return { calls, deployed, workflows, meta, logger: { error() {} } };
}

describe('workflows following the stack', () => {
  it('deploys the manifest files before applying, and refuses the apply when one is missing or bad', async () => {
    mkdirSync(path.join(dir, 'wf'), { recursive: true });
    writeFileSync(path.join(dir, 'wf', 'a.yaml'), 'good a');
    writeFileSync(path.join(dir, 'wf', 'b.yaml'), 'bad b');
    const f = fakes();
    const o = new TestOrchestrator();
    const s = stackWorkflows(o, f.workflows, f);
    await s.orchestrator.apply({ ...testStackSpec(), dir, workflows: ['wf/a.yaml'] });
    expect(f.deployed[0]).toEqual([{ source: 'good a', file: 'wf/a.yaml' }]);
    expect(o.calls.map((c) => c.method)).toEqual(['apply']);

    await expect(s.orchestrator.apply({ ...testStackSpec(), dir, workflows: ['wf/a.yaml', 'wf/b.yaml'] })).rejects.toThrow('wf/a.yaml: bad');
    await expect(deployManifestWorkflows({ dir, workflows: ['wf/missing.yaml'] }, f.workflows)).rejects.toThrow('workflows: wf/missing.yaml cannot be read (ENOENT)');
    expect(o.calls.map((c) => c.method)).toEqual(['apply']); // the refused applies never reached the orchestrator
    expect(s.orchestrator.status()).toBe(o.status()); // everything else goes straight through
  });

  it('detaches runs before down, and resumes them only once the next apply has completed', async () => {
    const f = fakes();
    const o = new TestOrchestrator();
    await o.apply(testStackSpec());
    const s = stackWorkflows(o, f.workflows, f);
    await s.start(); // a stack is there (adopted): resume at once
    expect(f.calls).toEqual(['resume']);
    await s.orchestrator.down();
    expect(f.calls).toEqual(['resume', 'detach']);
    expect(o.calls.at(-1)?.method).toBe('down');

    // a new daemon after the down: no stack yet, so it waits for the apply to complete
    const next = stackWorkflows(new TestOrchestrator(), f.workflows, f);
    const o2 = new TestOrchestrator();
    const again = stackWorkflows(o2, f.workflows, f);
    await again.start();
    expect(f.calls).toEqual(['resume', 'detach']);
    const op = await again.orchestrator.apply(testStackSpec());
    expect(f.calls).toEqual(['resume', 'detach']);
    o2.complete(op.id);
    await waitFor(() => f.calls.length === 3, 'the resume');
    expect(f.calls).toEqual(['resume', 'detach', 'resume']);
    // the flag is cleared: a later start resumes at once
    await next.start();
    expect(f.calls).toEqual(['resume', 'detach', 'resume', 'resume']);
  });
});
