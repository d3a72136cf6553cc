import { describe, expect, it } from 'vitest';
import { TuttiError, isTuttiError } from '../../core/index.js';
import { evaluateValue } from '../expressions/index.js';
import { loadWorkflow, type WorkflowProblem } from './index.js';

const HEAD = `document: { dsl: '1.0.3', namespace: shop, name: place-order, version: '1.2.0', title: Place an order }\n`;

function rejection(source: string, opts: Parameters<typeof loadWorkflow>[1] = { file: 'wf.yaml' }): TuttiError {
  try {
    loadWorkflow(source, opts);
  } catch (e) {
    if (isTuttiError(e)) return e;
    throw e;
  }
  throw new Error('the document was accepted');
}

describe('loadWorkflow: a valid document', () => {
  const source = `${HEAD}use:
  functions:
    greet:
      set: { hello: '\${ .name }' }
do:
  - reserveStock:
      call: http
      with: { method: post, endpoint: 'http://inventory/reserve', body: '\${ { sku: .sku } }' }
      export: { as: '$context + { reservation: . }' }
  - tryCharge:
      try:
        - charge:
            call: http
            with: { method: post, endpoint: 'http://payments/charge' }
      catch:
        errors: { with: { status: 503 } }
        as: failure
        when: $failure.status == 503
        do:
          - release:
              set: { released: '\${ $failure.status }' }
  - pick:
      switch:
        - big: { when: .total > 100, then: done }
        - default: { then: continue }
  - loop:
      for: { each: line, in: .lines, at: n }
      while: $n < 10
      do:
        - count:
            set: { seen: '\${ $line.sku + ($n | tostring) }' }
  - done:
      if: $context.reservation != null
      set: { ok: true }
`;
  const def = loadWorkflow(source, { file: 'place-order.yaml' });

  it('returns the document metadata', () => {
    expect(def.document).toEqual({ dsl: '1.0.3', namespace: 'shop', name: 'place-order', version: '1.2.0', title: 'Place an order' });
  });

  it('builds the task tree with JSON pointers', () => {
    expect(def.do.tasks.map((t) => [t.name, t.type, t.pointer])).toEqual([
      ['reserveStock', 'call', '/do/0/reserveStock'],
      ['tryCharge', 'try', '/do/1/tryCharge'],
      ['pick', 'switch', '/do/2/pick'],
      ['loop', 'for', '/do/3/loop'],
      ['done', 'set', '/do/4/done'],
    ]);
    expect(def.do.index.get('done')).toBe(4);
    const tryCharge = def.do.tasks[1];
    expect(tryCharge.lists['/try'].tasks[0].pointer).toBe('/do/1/tryCharge/try/0/charge');
    expect(tryCharge.lists['/catch/do'].tasks[0].pointer).toBe('/do/1/tryCharge/catch/do/0/release');
    expect(def.do.tasks[3].lists['/do'].tasks[0].pointer).toBe('/do/3/loop/do/0/count');
    expect(def.functions.get('greet')?.pointer).toBe('/use/functions/greet');
  });

  it('compiles every expression, including fields that are jq without ${ }', () => {
    expect([...def.values.keys()].sort()).toEqual([
      '/do/0/reserveStock/export/as',
      '/do/0/reserveStock/with/body',
      '/do/1/tryCharge/catch/do/0/release/set/released',
      '/do/1/tryCharge/catch/when',
      '/do/2/pick/switch/0/big/when',
      '/do/3/loop/do/0/count/set/seen',
      '/do/3/loop/for/in',
      '/do/3/loop/while',
      '/do/4/done/if',
      '/use/functions/greet/set/hello',
    ]);
    expect(evaluateValue(def.valueAt('/do/2/pick/switch/0/big/when'), { total: 150 })).toBe(true);
    expect(evaluateValue(def.valueAt('/do/3/loop/do/0/count/set'), {}, { $line: { sku: 'a' }, $n: 2 })).toEqual({ seen: 'a2' });
    expect(def.valueAt('/do/4/done/set')).toEqual({ kind: 'literal', value: { ok: true } });
  });

  it('accepts JSON as well as YAML', () => {
    const json = JSON.stringify({ document: { dsl: '1.0.0', namespace: 'n', name: 'j', version: '1.0.0' }, do: [{ a: { set: { x: '${ 1 + 1 }' } } }] });
    const d = loadWorkflow(json);
    expect(evaluateValue(d.valueAt('/do/0/a/set'), null)).toEqual({ x: 2 });
  });
});

describe('loadWorkflow: rejections name the pointer and line:column', () => {
  const cases: Array<[string, string, string]> = [
    ['wrong type', `do:\n  - a:\n      set: 3\n`, 'wf.yaml:4:12 /do/0/a/set: expected a mapping or a string, got 3.'],
    ['missing property', `do:\n  - b:\n      call: http\n      with: { method: get }\n`, 'wf.yaml:5:13 /do/0/b/with: missing required property "endpoint".'],
    ['deep type', `do:\n  - c:\n      wait: { seconds: 'x' }\n`, 'wf.yaml:4:24 /do/0/c/wait/seconds: expected an integer, got "x".'],
    ['flow directive', `do:\n  - d:\n      then: 5\n      set: { a: 1 }\n`, 'wf.yaml:4:13 /do/0/d/then: expected "continue", "exit", "end" or the name of a task, got 5.'],
    ['unknown property', `do:\n  - d:\n      set: { a: 1 }\n      colour: red\n`, 'wf.yaml:5:7 /do/0/d/colour: unknown property "colour".'],
    ['two task types', `do:\n  - d:\n      set: { a: 1 }\n      wait: PT1S\n`, 'wf.yaml:4:7 /do/0/d: a task needs exactly one of call, do, emit, for, fork, listen, raise, run, set, switch, try, wait; found set and wait.'],
    ['empty set', `do:\n  - a:\n      set: {}\n`, 'wf.yaml:4:12 /do/0/a/set: expected a mapping with at least 1 entry, got an empty mapping.'],
    ['then to a missing task', `do:\n  - a:\n      set: { a: 1 }\n      then: nowhere\n  - b:\n      set: { b: 1 }\n`, 'wf.yaml:5:13 /do/0/a/then: "then: nowhere" names no task of this list (tasks here: a, b).'],
    ['switch then to a missing task', `do:\n  - s:\n      switch:\n        - big: { when: .n > 1, then: gone }\n`, 'wf.yaml:5:38 /do/0/s/switch/0/big/then: "then: gone" names no task of this list (tasks here: s).'],
    ['duplicate names', `do:\n  - a:\n      set: { a: 1 }\n  - a:\n      set: { b: 1 }\n`, 'wf.yaml:6:7 /do/1/a: duplicate task name "a" in this list (first at /do/0/a).'],
    ['jq syntax error', `do:\n  - a:\n      set:\n        x: \${ .a | }\n`, 'wf.yaml:5:12 /do/0/a/set/x: invalid jq expression ".a |": syntax error, unexpected end of file.'],
    ['jq error in an if without ${ }', `do:\n  - a:\n      if: .a ==\n      set: { x: 1 }\n`, 'wf.yaml:4:11 /do/0/a/if: invalid jq expression ".a ==": syntax error, unexpected end of file.'],
    ['loop variable out of its loop', `do:\n  - loop:\n      for: { each: color, in: .colors }\n      do:\n        - m:\n            set: { c: '\${ $color }' }\n  - after:\n      set: { c: '\${ $color }' }\n`, 'wf.yaml:9:17 /do/1/after/set/c: invalid jq expression "$color": $color is not defined.'],
    ['unknown function', `do:\n  - a:\n      call: greet\n`, 'wf.yaml:4:13 /do/0/a/call: calls function "greet", which use.functions does not declare.'],
    ['unknown retry policy', `do:\n  - t:\n      try:\n        - a: { set: { x: 1 } }\n      catch:\n        retry: often\n`, 'wf.yaml:7:16 /do/0/t/catch/retry: uses retry policy "often", which use.retries does not declare.'],
    ['no document', `do: []\n`, 'wf.yaml:1:1 /: missing required property "document".'],
  ];
  it.each(cases)('%s', (_name, body, message) => {
    const source = body.startsWith('do: []') ? body : HEAD.replace('place-order', 'x') + body;
    const e = rejection(source);
    expect(e.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(e.message).toBe(message);
    const problems = (e.details as { problems: WorkflowProblem[] }).problems;
    const pointer = message.split(' ')[1].replace(/:$/, '');
    expect(problems[0].pointer).toBe(pointer === '/' ? '' : pointer);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(rejection(`${HEAD}do:\n  - a:\n      set: {a: 1\n`).message).toMatch(/^wf\.yaml:5:1 \/: syntax error: /);
  });

  it('counts further problems and lists them all in details, sorted by line', () => {
    const e = rejection(`${HEAD}do:\n  - a:\n      set: { x: '\${ .a | }' }\n  - b:\n      set: { y: '\${ ) }' }\n`);
    expect(e.message).toMatch(/\(and 1 more problem\)$/);
    const problems = (e.details as { problems: WorkflowProblem[] }).problems;
    expect(problems.map((p) => [p.pointer, p.line])).toEqual([['/do/0/a/set/x', 4], ['/do/1/b/set/y', 6]]);
  });
});

describe('loadWorkflow: features that are off or not supported', () => {
  const shell = `${HEAD}do:\n  - list:\n      run:\n        shell: { command: ls }\n`;
  const script = `${HEAD}do:\n  - js:\n      run:\n        script: { language: js, code: 'console.log(\`\${1}\`)' }\n`;

  it('rejects run.shell and run.script unless allowed, saying how to allow them', () => {
    const e = rejection(shell);
    expect(e.message).toBe('wf.yaml:5:16 /do/0/list/run/shell: run.shell is not allowed on this server.');
    expect(e.hint).toMatch(/allowRun\.shell/);
    expect(rejection(script).message).toMatch(/\/do\/0\/js\/run\/script: run\.script is not allowed on this server\.$/);
    expect(loadWorkflow(shell, { allowRun: { shell: true } }).do.tasks[0].type).toBe('run');
    // script code is data, not an expression, even when it looks like one
    expect(loadWorkflow(script, { allowRun: { script: true } }).values.size).toBe(0);
  });

  it.each([
    ['run.container', `run:\n        container: { image: alpine }`, /not supported: run\.container on the process runtime/],
    ['call: asyncapi', `call: asyncapi\n      with: { document: { endpoint: 'http://x/a.json' }, operation: op, message: { payload: {} } }`, /not supported: call: asyncapi/],
    ['a catalog function', `call: log:1.0.0@global`, /not supported: functions from catalogs or URLs/],
  ])('%s', (_name, task, message) => {
    expect(rejection(`${HEAD}do:\n  - t:\n      ${task}\n`).message).toMatch(message);
  });
});
