import { describe, expect, it } from 'vitest';
import { describeValue, manifestError, suggest, type ManifestProblem } from './problems.js';

describe('suggest', () => {
  const keys = ['command', 'image', 'cwd', 'env', 'env_file', 'replicas', 'port', 'depends_on', 'restart', 'stop_signal'];
  it.each([
    ['depnds_on', 'depends_on'],
    ['dependson', 'depends_on'],
    ['replica', 'replicas'],
    ['Command', 'command'],
    ['envfile', 'env_file'],
    ['prot', 'port'],
    ['stop-signal', 'stop_signal'],
    ['xyz', undefined],
    ['healthcheck', undefined],
    ['e', undefined],
    ['command', undefined], // already valid: nothing to suggest
  ])('%s -> %s', (word, expected) => {
    expect(suggest(word, keys)).toBe(expected);
  });
});

describe('manifestError', () => {
  const p = (line: number, column: number, message: string): ManifestProblem => ({ path: 'x', line, column, message });

  it('leads with the earliest problem, keeps all of them once, and says how many more there are', () => {
    const e = manifestError([p(9, 1, 'late'), p(2, 5, 'early'), p(2, 3, 'earliest'), p(9, 1, 'late')], { file: '/p/tutti.yaml' });
    expect(e.code).toBe('TUTTI_E_MANIFEST_INVALID');
    expect(e.message).toBe('earliest');
    expect(e.details).toEqual({ file: '/p/tutti.yaml', errors: [p(2, 3, 'earliest'), p(2, 5, 'early'), p(9, 1, 'late')] });
    expect(e.hint).toMatch(/2 more problems in details\.errors/);
  });

  it('uses the given code and hint', () => {
    const e = manifestError([p(1, 1, 'only')], { file: 'f', code: 'TUTTI_E_DEPENDENCY_CYCLE', hint: 'Do this.' });
    expect([e.code, e.hint]).toEqual(['TUTTI_E_DEPENDENCY_CYCLE', 'Do this.']);
  });
});

describe('describeValue', () => {
  it.each([
    [null, 'nothing'],
    [[], 'an empty list'],
    [[1], 'a list'],
    [{}, 'a mapping'],
    ['two', '"two"'],
    ['x'.repeat(50), `"${'x'.repeat(37)}..."`],
    [3, '3'],
    [false, 'false'],
  ])('%j -> %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
