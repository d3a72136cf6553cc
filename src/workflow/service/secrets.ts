// Where `$secret` values come from in the control plane: each name a definition lists under
// `use.secrets` is read from the control plane's environment (the variable of that name, as
// given to `tutti up` or `tutti server`). A value that parses as JSON is used parsed, so a
// secret may be an object (`{"username":"…","password":"…"}` for basic authentication).
// Only the listed names are exposed: a definition cannot read the rest of the environment.

import type { WorkflowDefinition } from '../definition/index.js';

export function secretsFor(def: WorkflowDefinition, env: Record<string, string | undefined> = process.env): Record<string, unknown> {
  const use = def.raw.use as { secrets?: unknown } | undefined;
  const names = Array.isArray(use?.secrets) ? use.secrets.filter((n): n is string => typeof n === 'string') : [];
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const text = env[name];
    if (text === undefined) continue;
    try {
      out[name] = JSON.parse(text) as unknown;
    } catch {
      out[name] = text;
    }
  }
  return out;
}
