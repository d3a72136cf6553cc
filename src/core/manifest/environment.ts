// A service's environment: its env_file entries (dotenv format, later files win) overlaid by
// its `env` map. A null value in `env` passes the variable through from tutti's own
// environment, as compose does; numbers and booleans are written as text. Which values are
// secret is kept beside them: an env_file's (unless `env` sets the name again in the clear)
// and those `env` marks `{ value, secret: true }` — the API hides them, kubernetes puts them
// in a Secret.

import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { ServiceInput } from './schema.js';
import { problemAt, type ManifestProblem } from './problems.js';
import type { YamlSource } from './yaml-source.js';

export type ReadFile = (absPath: string) => string | undefined;

export interface EnvironmentContext {
  src: YamlSource;
  dir: string;
  env: Record<string, string | undefined>;
  readFile?: ReadFile;
}

export interface ServiceEnvironment {
  env: Record<string, string>;
  /** names whose values are secret, sorted */
  secret: string[];
}

export function serviceEnvironment(
  name: string,
  raw: Pick<ServiceInput, 'env' | 'env_file'>,
  ctx: EnvironmentContext,
  problems: ManifestProblem[],
): ServiceEnvironment {
  const entries: Array<[string, string]> = [];
  const secret = new Set<string>();
  const files = raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
  files.forEach((file, i) => {
    const abs = resolve(ctx.dir, file);
    const text = ctx.readFile?.(abs);
    if (text === undefined) {
      const path = ['services', name, 'env_file', ...(Array.isArray(raw.env_file) ? [i] : [])];
      problems.push(problemAt(ctx.src, path, `env_file "${file}" of service "${name}" was not found (looked for ${abs})`));
      return;
    }
    for (const entry of Object.entries(parseDotenv(text))) {
      entries.push(entry);
      secret.add(entry[0]);
    }
  });
  for (const [key, given] of Object.entries(raw.env ?? {})) {
    const entry = given !== null && typeof given === 'object' ? given : { value: given };
    const value = entry.value ?? null;
    const text = value !== null ? String(value) : ctx.env[key];
    if (text !== undefined) entries.push([key, text]);
    // a value env sets in the clear is no secret; an env_file's value it leaves in place still is
    if (entry.secret) secret.add(key);
    else if (text !== undefined) secret.delete(key);
  }
  // fromEntries: later entries win, and a `__proto__` key stays a plain key
  const env = Object.fromEntries(entries) as Record<string, string>;
  return { env, secret: [...secret].filter((k) => Object.hasOwn(env, k)).sort() };
}
