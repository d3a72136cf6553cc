// The committed JSON Schema (schema/tutti.schema.json, for editors and the package) must be
// the one the loader validates with; regenerate it with `npm run schema` after a change.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from './index.js';

describe('schema/tutti.schema.json', () => {
  it('matches the schema the manifest loader uses', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../schema/tutti.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
  });
});
