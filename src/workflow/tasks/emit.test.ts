import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { ManualClock, runWorkflow, type RunWorkflowOptions } from '../engine/index.js';
import { createEventBus, type PublishedEvent } from '../events/index.js';
import { occurrenceUuid } from './emit.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
const run = (body: string, opts: RunWorkflowOptions = {}) => runWorkflow(loadWorkflow(HEAD + body), { clock: new ManualClock(Date.UTC(2026, 0, 1)), runId: 'run-1', ...opts });
const EMIT = `do:\n  - placed:\n      emit:\n        event:\n          with:\n            source: https://shop.example/orders\n            type: order.placed\n            data: { id: '\${ .id }' }\n`;

describe('emit', () => {
  it('publishes the event on the bus and outputs it', async () => {
    const bus = createEventBus();
    const got: PublishedEvent[] = [];
    bus.subscribe(() => true, (e) => got.push(e));
    const r = await run(EMIT, { events: bus, input: { id: 7 } });
    const expected = { specversion: '1.0', id: occurrenceUuid('run-1', '/do/0/placed#0'), time: '2026-01-01T00:00:00.000Z', source: 'https://shop.example/orders', type: 'order.placed', datacontenttype: 'application/json', data: { id: 7 } };
    expect(r).toEqual({ status: 'completed', output: expected });
    expect(got.map((e) => e.event)).toEqual([expected]);
  });

  it('the id comes from the run and the occurrence: the same emit again is a duplicate the bus drops', async () => {
    const bus = createEventBus();
    await run(EMIT, { events: bus, input: { id: 1 } });
    await run(EMIT, { events: bus, input: { id: 1 } });
    expect(bus.seq).toBe(1);
    await run(EMIT, { events: bus, input: { id: 1 }, runId: 'run-2' });
    expect(bus.seq).toBe(2);
    expect(occurrenceUuid('a', 'b')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('without a bus the event is only the output', async () => {
    const r = await run(EMIT, { input: { id: 1 } });
    expect(r.status).toBe('completed');
    expect(r.output).toMatchObject({ type: 'order.placed', data: { id: 1 } });
  });

  it('a source or type that evaluates to nothing, or an invalid attribute, faults with a validation error', async () => {
    const noType = await run(EMIT.replace('type: order.placed', "type: '${ .kind }'"), { input: {} });
    expect(noType.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/validation', status: 400, instance: '/do/0/placed/emit/event/with' });
    expect(noType.error?.detail).toMatch(/needs a "type"/);
    const badExtension = await run(EMIT.replace('type: order.placed', 'type: order.placed\n            traceId: x'), { events: createEventBus() });
    expect(badExtension.error).toMatchObject({ status: 400 });
    expect(badExtension.error?.detail).toMatch(/"traceId" is not a valid extension name/);
  });

  it('a workflow can wait for what another emits (fork: listen and emit)', async () => {
    const bus = createEventBus();
    const r = await run(
      `do:
  - both:
      fork:
        branches:
          - wait:
              listen:
                to: { one: { with: { type: order.placed } } }
          - announce:
              emit:
                event:
                  with: { source: "https://shop.example", type: order.placed, data: { n: 1 } }
      output: { as: '.[0]' }
`,
      { events: bus },
    );
    expect(r).toEqual({ status: 'completed', output: [{ n: 1 }] });
  });
});
