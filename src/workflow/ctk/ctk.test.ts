// The Serverless Workflow conformance kit (test/reference/serverless-workflow/ctk/features), every
// scenario as one test, read from the .feature files as they are. Calls to petstore.swagger.io and
// httpbin.org go to a local stub. Scenarios needing a feature the engine lacks are in KNOWN.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeature } from './gherkin.js';
import { runScenario } from './run-scenario.js';
import { startStub, type Stub } from './stub-server.js';

const DIR = join(import.meta.dirname, '../../../test/reference/serverless-workflow/ctk/features');

/** `Feature › Scenario` → why it is skipped */
const KNOWN: Record<string, string> = {};

const files = readdirSync(DIR).filter((f) => f.endsWith('.feature')).sort();
let stub: Stub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(async () => {
  await stub?.close();
});

it('reads every feature file of the kit', () => {
  expect(files.length).toBeGreaterThanOrEqual(11);
  const total = files.reduce((n, f) => n + parseFeature(readFileSync(join(DIR, f), 'utf8')).scenarios.length, 0);
  expect(total).toBe(21);
});

for (const file of files) {
  const feature = parseFeature(readFileSync(join(DIR, file), 'utf8'));
  describe(`${feature.name} (${file})`, () => {
    for (const scenario of feature.scenarios) {
      const name = `${feature.name} › ${scenario.name}`;
      const reason = KNOWN[name];
      if (reason) it.skip(`${name} (skipped: ${reason})`, () => {});
      else it(name, () => runScenario(scenario, { fetch: stub.fetch }));
    }
  });
}
