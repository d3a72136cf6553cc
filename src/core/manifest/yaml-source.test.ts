import { describe, expect, it } from 'vitest';
import { TuttiError } from '../errors.js';
import { formatPath, locate, parseYaml } from './yaml-source.js';

function syntaxError(text: string): TuttiError {
  try {
    parseYaml(text, '/work/shop/tutti.yaml');
  } catch (e) {
    return e as TuttiError;
  }
  throw new Error('expected a syntax error');
}

describe('parseYaml', () => {
  it.each([
    ['an unclosed flow sequence', 'name: shop\nservices:\n  api: { command: [node, a.js }\n', 3, 31],
    ['a tab used as indentation', 'name: shop\nservices:\n\tapi: {}\n', 3, 1],
    ['a duplicate key', 'name: shop\nservices: {}\nname: other\n', 3, 1],
    ['a second document', 'name: shop\n---\nname: other\n', 2, 1],
  ])('reports %s as TUTTI_E_MANIFEST_SYNTAX with its position', (_what, text, line, column) => {
    const e = syntaxError(text);
    expect(e).toBeInstanceOf(TuttiError);
    expect(e.code).toBe('TUTTI_E_MANIFEST_SYNTAX');
    expect(e.message).toMatch(new RegExp(`^YAML syntax error in tutti\\.yaml:${line}:${column}: \\S`));
    expect(e.message).not.toContain('\n');
    expect(e.hint).toBeTruthy();
    const details = e.details as { file: string; errors: Array<{ line: number; column: number }> };
    expect(details.file).toBe('/work/shop/tutti.yaml');
    expect(details.errors[0]).toMatchObject({ line, column });
  });
});

describe('locate', () => {
  const src = parseYaml(
    [
      'x-common: &common',
      '  restart: never',
      'services:',
      '  api:',
      '    <<: *common',
      '    command: [node, api.js]',
      '  worker: *common',
      '',
    ].join('\n'),
    '/p/tutti.yaml',
  );

  it.each([
    [['services', 'api', 'command', 1], {}, { line: 6, column: 21 }],
    [['services', 'api', 'command'], { key: true }, { line: 6, column: 5 }],
    [['services', 'api', 'restart'], {}, { line: 2, column: 12 }], // through the merge key
    [['services', 'worker', 'restart'], {}, { line: 2, column: 12 }], // through an alias
    [['services', 'api', 'nope', 'deeper'], {}, { line: 5, column: 5 }], // nearest existing node
    [[], {}, { line: 1, column: 1 }],
  ])('%j %j -> %j', (path, opts, position) => {
    expect(locate(src, path, opts)).toEqual(position);
  });
});

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['services', 'orders', 'depends_on'], 'services.orders.depends_on'],
    [['services', 'orders', 'command', 2], 'services.orders.command[2]'],
    [['services', 'api', 'env', 'a.b'], 'services.api.env["a.b"]'],
  ])('%j -> %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
