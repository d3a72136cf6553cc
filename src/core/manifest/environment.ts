// A service's environment: its env_file entries (dotenv format, later files win) overlaid by
// its `env` map. A null value in `env` passes the variable through from tutti's own
// environment, as compose does; numbers and booleans are written as text.

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

export function serviceEnvironment(
  name: string,
  raw: Pick<ServiceInput, 'env' | 'env_file'>,
  ctx: EnvironmentContext,
  problems: ManifestProblem[],
): Record<string, string> {
  const entries: Array<[string, string]> = [];
  const files = raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
  files.forEach((file, i) => {
    const abs = resolve(ctx.dir, file);
    const text = ctx.readFile?.(abs);
    if (text === undefined) {
      const path = ['services', name, 'env_file', ...(Array.isArray(raw.env_file) ? [i] : [])];
      problems.push(problemAt(ctx.src, path, `env_file "${file}" of service "${name}" was not found (looked for ${abs})`));
      return;
    }
    entries.push(...Object.entries(parseDotenv(text)));
  });
  for (const [key, value] of Object.entries(raw.env ?? {})) {
    if (value !== null) entries.push([key, String(value)]);
    else if (ctx.env[key] !== undefined) entries.push([key, ctx.env[key]!]);
  }
  // fromEntries: later entries win, and a `__proto__` key stays a plain key
  return Object.fromEntries(entries);
}
