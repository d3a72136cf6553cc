import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse-manifest.js';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('hides secret values only, leaving the spec it was given untouched', () => {
    const spec = parseManifest('name: s\nservices:\n  api:\n    command: x\n    env: { KEY: { value: k1, secret: true }, LEVEL: info }\n  web: { command: y, env: { A: b } }\n', {
      file: '/p/tutti.yaml', env: {},
    });
    const shown = redactSecrets(spec);
    expect(shown.services.api.env).toEqual({ KEY: '(secret)', LEVEL: 'info' });
    expect(shown.services.web).toBe(spec.services.web);
    expect(spec.services.api.env.KEY).toBe('k1');
  });
});
