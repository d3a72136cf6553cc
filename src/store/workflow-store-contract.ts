// The workflow part of the store contract (called by runStoreContract): definitions by version,
// runs with their latest state, the batched state writes of the run journal and the listings.

import { describe, expect, it } from 'vitest';
import type { Store } from './store.js';
import type { NewWorkflowRun } from './workflow-records.js';

type Open = () => Promise<Store>;

const source = (v: string) => `document:\n  dsl: '1.0.0'\n  namespace: test\n  name: order\n  version: '${v}'\ndo: []\n`;
const document = (v: string) => ({ document: { dsl: '1.0.0', namespace: 'test', name: 'order', version: v }, do: [] });
const newRun = (id: string, over: Partial<NewWorkflowRun> = {}): NewWorkflowRun => ({
  id,
  workflow: 'order',
  version: '1.0.0',
  input: { item: 'it\'s "quoted" ☃', qty: 2 },
  state: { runId: id, status: 'running', outputs: {} },
  createdAt: 1000,
  ...over,
});

export function runWorkflowStoreContract(open: Open): void {
  describe('workflows: definitions', () => {
    it('keeps several versions of one name, the latest deployed answering when no version is asked', async () => {
      const store = await open();
      expect(await store.workflows.getDefinition('order')).toBeUndefined();
      await store.workflows.putDefinition({ name: 'order', version: '1.0.0', source: source('1.0.0'), document: document('1.0.0'), createdAt: 10 });
      await store.workflows.putDefinition({ name: 'order', version: '1.1.0', source: source('1.1.0'), document: document('1.1.0'), createdAt: 20 });
      await store.workflows.putDefinition({ name: 'billing', version: '1.0.0', source: 'x', document: { do: [] }, createdAt: 5 });
      expect(await store.workflows.getDefinition('order')).toEqual({
        name: 'order', version: '1.1.0', source: source('1.1.0'), document: document('1.1.0'), createdAt: 20,
      });
      expect((await store.workflows.getDefinition('order', '1.0.0'))?.document).toEqual(document('1.0.0'));
      expect(await store.workflows.getDefinition('order', '9.9.9')).toBeUndefined();
      const all = await store.workflows.listDefinitions();
      expect(all.map((d) => `${d.name}@${d.version}`)).toEqual(['billing@1.0.0', 'order@1.1.0', 'order@1.0.0']);
      expect((await store.workflows.listDefinitions('order')).map((d) => d.version)).toEqual(['1.1.0', '1.0.0']);
    });

    it('accepts the same version again unchanged, and refuses it changed', async () => {
      const store = await open();
      const def = { name: 'order', version: '1.0.0', source: source('1.0.0'), document: document('1.0.0'), createdAt: 10 };
      await store.workflows.putDefinition(def);
      await store.workflows.putDefinition({ ...def, createdAt: 99 });
      await expect(store.workflows.putDefinition({ ...def, source: `${def.source}# changed\n` })).rejects.toMatchObject({ code: 'TUTTI_E_CONFLICT' });
      expect(await store.workflows.listDefinitions()).toEqual([def]);
    });
  });

  describe('workflows: runs', () => {
    it('creates a run, refuses its id twice, and reads it back whole', async () => {
      const store = await open();
      await store.workflows.createRun(newRun('r1'));
      await expect(store.workflows.createRun(newRun('r1'))).rejects.toMatchObject({ code: 'TUTTI_E_CONFLICT' });
      expect(await store.workflows.getRun('r1')).toEqual({
        id: 'r1', workflow: 'order', version: '1.0.0', status: 'running', input: newRun('r1').input,
        state: { runId: 'r1', status: 'running', outputs: {} }, createdAt: 1000, updatedAt: 1000,
      });
      expect(await store.workflows.getRun('nope')).toBeUndefined();
    });

    it('saves a batch of states in one call: creations first, the end stamped once, unknown ids reported', async () => {
      const store = await open();
      await store.workflows.createRun(newRun('a'));
      const state = { runId: 'a', status: 'completed', outputs: { '/do/0/x': 1 } };
      const { missing, duplicates } = await store.workflows.saveRunStates(
        [
          { id: 'a', status: 'completed', state, output: { total: 3 }, updatedAt: 2000 },
          { id: 'b', status: 'faulted', state: { step: 2 }, error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 500 }, updatedAt: 2100 },
          { id: 'ghost', status: 'running', state: {}, updatedAt: 2200 },
        ],
        [newRun('b', { createdAt: 1500 }), newRun('c', { status: 'completed', output: [1], createdAt: 1600, updatedAt: 1700 })],
      );
      expect(missing).toEqual(['ghost']);
      expect(duplicates).toEqual([]);
      expect(await store.workflows.getRun('a')).toMatchObject({ status: 'completed', state, output: { total: 3 }, updatedAt: 2000, endedAt: 2000 });
      const b = await store.workflows.getRun('b');
      expect(b).toMatchObject({ status: 'faulted', state: { step: 2 }, createdAt: 1500, updatedAt: 2100, endedAt: 2100 });
      expect(b?.error).toEqual({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 500 });
      expect(b).not.toHaveProperty('output');
      expect(await store.workflows.getRun('c')).toMatchObject({ status: 'completed', output: [1], createdAt: 1600, updatedAt: 1700, endedAt: 1700 });
      // a later write keeps the first end time
      await store.workflows.saveRunStates([{ id: 'a', status: 'completed', state, updatedAt: 3000 }]);
      expect(await store.workflows.getRun('a')).toMatchObject({ updatedAt: 3000, endedAt: 2000 });
      expect(await store.workflows.getRun('ghost')).toBeUndefined();
      expect(await store.workflows.saveRunStates([])).toEqual({ missing: [], duplicates: [] });
    });

    it('skips a creation whose id exists instead of failing the batch, and says which', async () => {
      const store = await open();
      await store.workflows.createRun(newRun('a'));
      const got = await store.workflows.saveRunStates(
        [{ id: 'n', status: 'completed', state: { x: 1 }, updatedAt: 5 }],
        [newRun('a', { workflow: 'other' }), newRun('n')],
      );
      expect(got).toEqual({ missing: [], duplicates: ['a'] });
      expect(await store.workflows.getRun('a')).toMatchObject({ workflow: 'order', status: 'running' });
      expect(await store.workflows.getRun('n')).toMatchObject({ status: 'completed', state: { x: 1 }, endedAt: 5 });
    });

    it('serialises the state when saveRunStates is called, not later', async () => {
      const store = await open();
      await store.workflows.createRun(newRun('a'));
      const state = { step: 1 };
      const saving = store.workflows.saveRunStates([{ id: 'a', status: 'running', state, updatedAt: 5 }]);
      state.step = 2;
      await saving;
      expect((await store.workflows.getRun('a'))?.state).toEqual({ step: 1 });
    });

    it('lists runs newest first, filtered by workflow, status and time, in pages', async () => {
      const store = await open();
      const runs = Array.from({ length: 25 }, (_, i) =>
        newRun(`r${String(i).padStart(2, '0')}`, {
          workflow: i % 2 === 0 ? 'order' : 'billing',
          createdAt: 1000 + Math.floor(i / 3), // several runs share a millisecond: the id breaks ties
          status: i % 5 === 0 ? 'completed' : 'running',
        }),
      );
      await store.workflows.saveRunStates([], runs);
      const newestFirst = [...runs].sort((x, y) => (y.createdAt! - x.createdAt!) || (x.id < y.id ? 1 : -1)).map((r) => r.id);

      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const got = await store.workflows.listRuns({ limit: 7, before });
        seen.push(...got.runs.map((r) => r.id));
        if (!got.next) break;
        before = got.next;
      }
      expect(seen).toEqual(newestFirst);

      const first = (await store.workflows.listRuns({ limit: 1 })).runs[0];
      expect(first).toEqual({ id: newestFirst[0], workflow: 'order', version: '1.0.0', status: 'running', input: newRun('x').input, createdAt: 1008, updatedAt: 1008 });
      expect(first).not.toHaveProperty('state');

      const orders = await store.workflows.listRuns({ workflow: 'order' });
      expect(orders.runs.map((r) => r.id)).toEqual(newestFirst.filter((id) => Number(id.slice(1)) % 2 === 0));
      expect(orders.next).toBeUndefined();
      const done = await store.workflows.listRuns({ status: 'completed' });
      expect(done.runs.map((r) => r.id)).toEqual(['r20', 'r15', 'r10', 'r05', 'r00']);
      const window = await store.workflows.listRuns({ since: 1002, until: 1004 });
      expect(window.runs.map((r) => r.id)).toEqual(['r11', 'r10', 'r09', 'r08', 'r07', 'r06']);
      expect((await store.workflows.listRuns({ limit: 0 })).runs).toEqual([]);
      await expect(store.workflows.listRuns({ before: 'garbage' })).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST' });
    });

    it('lists unfinished runs (running or suspended) with their state, oldest first', async () => {
      const store = await open();
      await store.workflows.saveRunStates([], [
        newRun('done', { status: 'completed', createdAt: 1 }),
        newRun('late', { createdAt: 30 }),
        newRun('paused', { status: 'suspended', createdAt: 20, state: { waiting: true } }),
        newRun('early', { createdAt: 10 }),
      ]);
      const unfinished = await store.workflows.listUnfinishedRuns();
      expect(unfinished.map((r) => `${r.id}:${r.status}`)).toEqual(['early:running', 'paused:suspended', 'late:running']);
      expect(unfinished[1].state).toEqual({ waiting: true });
      await store.workflows.saveRunStates([{ id: 'early', status: 'cancelled', state: {}, updatedAt: 40 }]);
      expect((await store.workflows.listUnfinishedRuns()).map((r) => r.id)).toEqual(['paused', 'late']);
    });
  });
}
