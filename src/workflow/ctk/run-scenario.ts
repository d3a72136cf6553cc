// Runs one ctk scenario: interprets its steps (the step texts used by the kit's features) against
// the engine and throws an assertion error naming the step that did not hold.

import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { loadWorkflow } from '../definition/index.js';
import { runWorkflow, type RunResult, type TaskEvent } from '../engine/index.js';
import type { Scenario, Step } from './gherkin.js';

export interface ScenarioEnv {
  fetch: typeof fetch;
}

function pathValue(value: unknown, path: string): { found: boolean; value?: unknown } {
  let v: unknown = value;
  for (const seg of path.split('.')) {
    if (typeof v !== 'object' || v === null || !(seg in v)) return { found: false };
    v = (v as Record<string, unknown>)[seg];
  }
  return { found: true, value: v };
}

function docYaml(step: Step): unknown {
  assert.ok(step.docString !== undefined, `line ${step.line}: "${step.text}" needs a doc string`);
  return parseYaml(step.docString);
}

export async function runScenario(scenario: Scenario, env: ScenarioEnv): Promise<void> {
  let source: string | undefined;
  let input: unknown = {};
  let result: RunResult | undefined;
  const events: TaskEvent[] = [];
  const started = () => events.filter((e) => e.type === 'started').map((e) => e.name);
  const done = () => {
    assert.ok(result, 'the workflow was not executed');
    return result;
  };
  for (const step of scenario.steps) {
    const t = step.text;
    let m: RegExpExecArray | null;
    if (t === 'a workflow with definition:') source = step.docString;
    else if (t === 'given the workflow input is:') input = docYaml(step);
    else if (t === 'the workflow is executed') {
      assert.ok(source, 'no workflow definition was given');
      const def = loadWorkflow(source, { file: `${scenario.name}.yaml` });
      result = await runWorkflow(def, { input, fetch: env.fetch, onTask: (e) => events.push(e) });
    } else if ((m = /^the workflow should complete( with output:)?$/.exec(t))) {
      const r = done();
      assert.equal(r.status, 'completed', `expected completion, got ${r.status}: ${JSON.stringify(r.error)}`);
      if (m[1]) assert.deepEqual(r.output, docYaml(step));
    } else if ((m = /^the workflow should fault( with error:)?$/.exec(t))) {
      const r = done();
      assert.equal(r.status, 'faulted', `expected a fault, got ${r.status} with ${JSON.stringify(r.output)}`);
      if (m[1]) {
        const want = docYaml(step) as Record<string, unknown>;
        for (const [k, v] of Object.entries(want)) assert.deepEqual((r.error as unknown as Record<string, unknown>)[k], v, `error.${k}`);
      }
    } else if ((m = /^the workflow output should have properties (.+)$/.exec(t))) {
      const names = [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]);
      for (const n of names) assert.ok(pathValue(done().output, n).found, `output has no '${n}': ${JSON.stringify(done().output)}`);
    } else if ((m = /^the workflow output should have a '([^']+)' property with value:$/.exec(t))) {
      const got = pathValue(done().output, m[1]);
      assert.ok(got.found, `output has no '${m[1]}'`);
      assert.deepEqual(got.value, docYaml(step));
    } else if ((m = /^the workflow output should have a '([^']+)' property containing (\d+) items$/.exec(t))) {
      const got = pathValue(done().output, m[1]);
      assert.ok(Array.isArray(got.value), `'${m[1]}' is not a list: ${JSON.stringify(got.value)}`);
      assert.equal(got.value.length, Number(m[2]));
    } else if ((m = /^(\S+) should run first$/.exec(t))) {
      assert.equal(started()[0], m[1], `tasks ran in the order ${started().join(', ')}`);
    } else if ((m = /^(\S+) should run last$/.exec(t))) {
      assert.equal(started().at(-1), m[1], `tasks ran in the order ${started().join(', ')}`);
    } else if ((m = /^(\S+) should run after (\S+)$/.exec(t))) {
      const order = started();
      const a = order.lastIndexOf(m[1]);
      const b = order.indexOf(m[2]);
      assert.ok(a >= 0 && b >= 0 && a > b, `tasks ran in the order ${order.join(', ')}`);
    } else {
      throw new Error(`line ${step.line}: unknown step "${step.keyword} ${t}" (add it to run-scenario.ts)`);
    }
  }
}
