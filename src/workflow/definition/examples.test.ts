// Every example of the specification either loads, or is rejected with a "not supported: …"
// message naming the feature. The rejected ones are listed here and in docs/workflows.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from './index.js';

// the specification's examples, copied into test/reference/ (see its README)
const EXAMPLES = resolve(fileURLToPath(import.meta.url), '../../../../test/reference/serverless-workflow/examples');

const CONTAINER = /not supported: run\.container on the process runtime/;
const REJECTED: Record<string, RegExp> = {
  'call-asyncapi-publish.yaml': /not supported: call: asyncapi/,
  'call-asyncapi-subscribe-consume-amount.yaml': /not supported: call: asyncapi/,
  'call-asyncapi-subscribe-consume-forever-foreach.yaml': /not supported: call: asyncapi/,
  'call-asyncapi-subscribe-consume-until.yaml': /not supported: call: asyncapi/,
  'call-asyncapi-subscribe-consume-while.yaml': /not supported: call: asyncapi/,
  'call-mcp.yaml': /not supported: call: mcp/,
  'call-custom-function-cataloged.yaml': /not supported: functions from catalogs or URLs/,
  'run-container.yaml': CONTAINER,
  'run-container-cleanup-always.yaml': CONTAINER,
  'run-container-cleanup-eventually.yaml': CONTAINER,
  'run-container-stdin-and-arguments.yaml': CONTAINER,
  'run-container-with-name.yaml': CONTAINER,
  'run-container-with-pull-policy.yaml': CONTAINER,
  'run-return-all.yaml': CONTAINER,
  'run-return-code.yaml': CONTAINER,
  'run-return-none.yaml': CONTAINER,
  'run-return-stderr.yaml': CONTAINER,
};

describe('specification examples', () => {
  it('are where the tests expect them', () => {
    expect(existsSync(EXAMPLES), `${EXAMPLES} is missing`).toBe(true);
  });
  const files = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort() : [];

  it('are all covered (66 files)', () => {
    expect(files.length).toBe(66);
    for (const name of Object.keys(REJECTED)) expect(files).toContain(name);
  });

  it.each(files)('%s', (file) => {
    const source = readFileSync(join(EXAMPLES, file), 'utf8');
    // run.shell and run.script are features the server can allow; the examples are loaded allowed
    const load = () => loadWorkflow(source, { file, allowRun: { shell: true, script: true } });
    const expected = REJECTED[file];
    if (expected) {
      expect(load).toThrow(expected);
      expect(load).toThrow(new RegExp(`^${file.replace(/\./g, '\\.')}:\\d+:\\d+ /do/\\d+/\\w+/`));
    } else {
      const def = load();
      expect(def.document.name).toBeTruthy();
      expect(def.do.tasks.length).toBeGreaterThan(0);
    }
  });
});
