import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { secretsFor } from './secrets.js';

const def = (secrets: string) => loadWorkflow(`document: { dsl: '1.0.0', namespace: t, name: s, version: '1.0.0' }
use:
  secrets: ${secrets}
do:
  - a: { set: { x: 1 } }
`);

describe('secretsFor', () => {
  it('reads only the names the definition lists, JSON values parsed', () => {
    const env = { DB: '{"username":"u","password":"p"}', TOKEN: 'abc', OTHER: 'not listed' };
    expect(secretsFor(def('[DB, TOKEN, MISSING]'), env)).toEqual({ DB: { username: 'u', password: 'p' }, TOKEN: 'abc' });
  });

  it('gives nothing to a definition without use.secrets', () => {
    expect(secretsFor(loadWorkflow(`document: { dsl: '1.0.0', namespace: t, name: s, version: '1.0.0' }\ndo:\n  - a: { set: { x: 1 } }\n`), { A: '1' })).toEqual({});
  });
});
