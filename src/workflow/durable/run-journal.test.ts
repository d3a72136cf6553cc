import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store, type WorkflowRepository } from '../../store/index.js';
import { loadWorkflow } from '../definition/index.js';
import { runWorkflow, type RunState } from '../engine/index.js';
import { createRunJournal, type JournalState, type RunJournal } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-journal-'));
let n = 0;
const fresh = () => join(dir, `db-${n++}`, 'state.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close().catch(() => undefined);
});

async function openStore(file = fresh()): Promise<Store> {
  const store = await openSqliteStore(file);
  opened.push(store);
  return store;
}

function journalOn(repo: WorkflowRepository, opts: Parameters<typeof createRunJournal>[1] = {}): RunJournal {
  const journal = createRunJournal(repo, opts);
  opened.push(journal);
  return journal;
}

/** A repository whose saveRunStates calls are counted and can be held until released. */
function spied(repo: WorkflowRepository) {
  const calls: Array<{ updates: number; create: number }> = [];
  const gates: Array<() => void> = [];
  let hold = false;
  let active = 0;
  let maxActive = 0;
  const wrapped: WorkflowRepository = {
    ...repo,
    async saveRunStates(updates, create = []) {
      calls.push({ updates: updates.length, create: create.length });
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        if (hold) await new Promise<void>((r) => gates.push(r));
        return await repo.saveRunStates(updates, create);
      } finally {
        active--;
      }
    },
  };
  return {
    repo: wrapped,
    calls,
    get maxActive() {
      return maxActive;
    },
    hold(on: boolean) {
      hold = on;
    },
    /** releases the oldest held commit once one is waiting */
    async release() {
      await until(() => gates.length > 0);
      gates.shift()!();
    },
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

const state = (status: JournalState['status'], step: number, extra: Partial<JournalState> = {}) => ({ status, step, ...extra });
const run = (id: string, step = 0) => ({ id, workflow: 'order', version: '1.0.0', input: { id }, state: state('running', step) });

describe('run journal', () => {
  it('coalesces the transitions of one tick: one transaction, one row per run, the newest state', async () => {
    const store = await openStore();
    const spy = spied(store.workflows);
    const journal = journalOn(spy.repo);
    for (let r = 0; r < 50; r++) {
      journal.start(run(`r${r}`));
      for (let step = 1; step <= 10; step++) journal.record(`r${r}`, state('running', step));
    }
    journal.record('r7', state('completed', 11, { output: { total: 7 } }));
    expect(journal.pending).toBe(50);
    await journal.flush();
    expect(spy.calls).toEqual([{ updates: 0, create: 50 }]);
    expect(journal.pending).toBe(0);
    expect(await store.workflows.getRun('r3')).toMatchObject({ status: 'running', state: { step: 10 }, input: { id: 'r3' } });
    expect(await store.workflows.getRun('r7')).toMatchObject({ status: 'completed', output: { total: 7 }, state: { step: 11 } });
  });

  it('writes the state as it is at commit time (the engine mutates one object)', async () => {
    const store = await openStore();
    const journal = journalOn(store.workflows);
    const s = { status: 'running' as const, step: 1 };
    journal.start({ ...run('a'), state: s });
    s.step = 2;
    await journal.flush();
    expect((await store.workflows.getRun('a'))?.state).toEqual({ status: 'running', step: 2 });
  });

  it('splits a large queue into batches of maxBatch, one commit at a time', async () => {
    const store = await openStore();
    const spy = spied(store.workflows);
    const journal = journalOn(spy.repo, { maxBatch: 10 });
    for (let r = 0; r < 35; r++) journal.start(run(`r${r}`));
    await journal.flush();
    expect(spy.calls.map((c) => c.create)).toEqual([10, 10, 10, 5]);
    expect(spy.maxActive).toBe(1);
    expect((await store.workflows.listRuns({ limit: 100 })).runs).toHaveLength(35);
  });

  it('keeps order: a state recorded while an older one commits is written after it', async () => {
    const store = await openStore();
    const spy = spied(store.workflows);
    const journal = journalOn(spy.repo);
    spy.hold(true);
    journal.start(run('a', 1));
    await until(() => spy.calls.length === 1); // the first commit is in flight
    journal.record('a', state('running', 2));
    journal.record('a', state('completed', 3, { output: 'done' }));
    await spy.release();
    await spy.release();
    await journal.flush();
    expect(spy.calls).toEqual([{ updates: 0, create: 1 }, { updates: 1, create: 0 }]);
    expect(spy.maxActive).toBe(1);
    expect(await store.workflows.getRun('a')).toMatchObject({ status: 'completed', state: { step: 3 }, output: 'done' });
  });

  it('flush waits for what was queued before it, not for later records', async () => {
    const store = await openStore();
    const spy = spied(store.workflows);
    const journal = journalOn(spy.repo);
    await journal.flush(); // nothing queued: resolves at once
    spy.hold(true);
    journal.start(run('a'));
    let firstDone = false;
    const first = journal.flush().then(() => (firstDone = true));
    await until(() => spy.calls.length === 1);
    journal.start(run('b'));
    const second = journal.flush();
    expect(firstDone).toBe(false);
    await spy.release();
    await first;
    expect(await store.workflows.getRun('a')).toBeDefined();
    expect(await store.workflows.getRun('b')).toBeUndefined(); // still held: the first flush did not wait for it
    await spy.release();
    await second;
    expect(await store.workflows.getRun('b')).toBeDefined();
  });

  it('reports a failed commit, rejects the flush that waited for it and retries, the newest state winning', async () => {
    const store = await openStore();
    const errors: string[] = [];
    let failuresLeft = 2;
    const flaky: WorkflowRepository = {
      ...store.workflows,
      async saveRunStates(updates, create) {
        if (failuresLeft-- > 0) throw new Error('disk I/O error');
        return store.workflows.saveRunStates(updates, create);
      },
    };
    const journal = journalOn(flaky, { retryDelayMs: 1, logger: { error: (_o: unknown, msg: string) => errors.push(msg), warn: () => undefined } as never });
    journal.start(run('a', 1));
    await expect(journal.flush()).rejects.toThrow(/disk I\/O error/);
    journal.record('a', state('running', 2));
    await until(() => failuresLeft < 0 && journal.pending === 0);
    await journal.flush();
    expect(errors.length).toBe(2);
    expect(errors[0]).toMatch(/could not commit the states of 1 run\(s\); retrying/);
    expect(await store.workflows.getRun('a')).toMatchObject({ state: { step: 2 } });
  });

  it('reports states of unknown runs and keeps the rest of the batch', async () => {
    const store = await openStore();
    const errors: string[] = [];
    const journal = journalOn(store.workflows, { logger: { error: (_o: unknown, msg: string) => errors.push(msg), warn: () => undefined } as never });
    journal.record('ghost', state('running', 1));
    journal.start(run('a'));
    await journal.flush();
    expect(errors).toEqual([expect.stringMatching(/dropped the states of 1 run\(s\) the store does not know/)]);
    expect(await store.workflows.getRun('a')).toBeDefined();
  });

  it('close commits what is queued, then refuses records', async () => {
    const store = await openStore();
    const journal = journalOn(store.workflows);
    journal.start(run('a'));
    journal.record('a', state('completed', 5));
    await journal.close();
    expect(await store.workflows.getRun('a')).toMatchObject({ status: 'completed', state: { step: 5 } });
    expect(() => journal.record('a', state('running', 6))).toThrow(/journal is closed/);
    await journal.close();
  });

  it('after a crash, what was flushed is in the database and what was not is not', async () => {
    const file = fresh();
    const store = await openSqliteStore(file);
    const journal = createRunJournal(store.workflows, { logger: { error: () => undefined, warn: () => undefined } as never });
    journal.start(run('a', 1));
    journal.record('a', state('running', 2));
    await journal.flush();
    journal.record('a', state('running', 3));
    journal.start(run('b', 1));
    // the database goes away before the journal's next tick
    await store.close();
    await expect(journal.close()).rejects.toMatchObject({ code: 'TUTTI_E_INTERNAL' });

    const reopened = await openStore(file);
    expect(await reopened.workflows.getRun('a')).toMatchObject({ status: 'running', state: { step: 2 } });
    expect(await reopened.workflows.getRun('b')).toBeUndefined();
    expect((await reopened.workflows.listUnfinishedRuns()).map((r) => r.id)).toEqual(['a']);
  });

  it('persists a real engine run after every transition, its final state last', async () => {
    const store = await openStore();
    const journal = journalOn(store.workflows);
    const def = loadWorkflow(`document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }
do:
  - a: { set: { n: 1 } }
  - b: { set: { n: '\${ .n + 1 }' } }
`);
    const runId = 'engine-run';
    journal.start({ id: runId, workflow: 'wf', version: '1.0.0', input: { x: 1 }, state: { status: 'running' } });
    const result = await runWorkflow(def, { runId, input: { x: 1 }, onTransition: (s: Readonly<RunState>) => journal.record(runId, s) });
    await journal.flush();
    const stored = await store.workflows.getRun(runId);
    expect(result).toEqual({ status: 'completed', output: { n: 2 } });
    expect(stored).toMatchObject({ status: 'completed', output: { n: 2 }, state: { runId, status: 'completed', outputs: { '/do/0/a': { n: 1 }, '/do/1/b': { n: 2 } } } });
    expect(stored?.endedAt).toBeGreaterThan(0);
  });

  it('throughput: 50 concurrent runs of 10 transitions each (printed, not asserted)', async () => {
    const store = await openStore();
    const spy = spied(store.workflows);
    const journal = journalOn(spy.repo);
    const runs = 2000;
    const concurrency = 50;
    // 'tick': every transition in its own turn of the event loop (a task awaiting I/O), so no
    // coalescing within a run; 'microtask': a run's transitions share a turn, as `set` tasks do
    for (const mode of ['tick', 'microtask'] as const) {
      const commitsBefore = spy.calls.length;
      let next = 0;
      const worker = async () => {
        while (next < runs) {
          const id = `${mode}-${next++}`;
          const s: { status: JournalState['status']; step: number; output?: unknown } = { status: 'running', step: 0 };
          journal.start({ id, workflow: 'bench', version: '1', input: {}, state: s });
          for (let step = 1; step <= 10; step++) {
            s.step = step;
            journal.record(id, s);
            await (mode === 'tick' ? new Promise((r) => setImmediate(r)) : Promise.resolve());
          }
          s.status = 'completed';
          s.output = { step: 10 };
          journal.record(id, s);
          await journal.flush(); // a run is done when its end is durable
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const secs = (performance.now() - t0) / 1000;
      const commits = spy.calls.length - commitsBefore;
      console.log(
        `run journal (${mode}): ${runs} runs × 11 transitions, ${concurrency} concurrent: ${Math.round((runs * 11) / secs)} transitions/s, ` +
          `${Math.round(runs / secs)} runs/s, ${commits} commits`,
      );
      expect((await store.workflows.listRuns({ workflow: 'bench', status: 'completed', limit: 1000 })).runs).toHaveLength(1000);
    }
  });
});
