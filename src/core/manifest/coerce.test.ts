import { describe, expect, it } from 'vitest';
import { coerceScalars } from './coerce.js';
import { manifestSchema } from './schema.js';

const service = (fields: Record<string, unknown>) => ({ name: 'shop', services: { api: fields } });

describe('coerceScalars', () => {
  it.each([
    ['replicas "2" -> 2', { replicas: '2' }, { replicas: 2 }],
    ['port " 8080 " -> 8080', { port: ' 8080 ' }, { port: 8080 }],
    ['importance "0.5" -> 0.5', { importance: '0.5' }, { importance: 0.5 }],
    ['tcp "true" -> true', { health: { tcp: 'true', healthy_after: '2' } }, { health: { tcp: true, healthy_after: 2 } }],
    ['a duration stays text', { stop_grace: '10' }, { stop_grace: '10' }],
    ['an env value stays text', { env: { N: '2', B: 'true' } }, { env: { N: '2', B: 'true' } }],
    ['an image stays text', { image: '1.4' }, { image: '1.4' }],
    ['a command list stays text', { command: ['sleep', '5'] }, { command: ['sleep', '5'] }],
    ['non-numeric text is left for the validator', { replicas: 'two' }, { replicas: 'two' }],
    ['an empty value is left for the validator', { replicas: '' }, { replicas: '' }],
  ])('%s', (_what, input, output) => {
    expect(coerceScalars(service(input), manifestSchema)).toEqual(service(output));
  });

  it('keeps a __proto__ key as plain data', () => {
    const input = JSON.parse('{"name":"shop","services":{"api":{"env":{"__proto__":"x"}}}}');
    const out = coerceScalars(input, manifestSchema) as { services: { api: { env: object } } };
    expect(Object.keys(out.services.api.env)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out.services.api.env)).toBe(Object.prototype);
  });
});
