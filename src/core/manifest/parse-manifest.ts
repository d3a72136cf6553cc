// The manifest pipeline, pure apart from the injected readFile: YAML with positions ->
// variables interpolated (environment first, then `.env` beside the manifest) -> numbers and
// booleans typed -> schema-validated -> compiled into a StackSpec. Each stage reports every
// problem it finds at once, with file, line and column.

import { dirname, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { StackSpec } from '../spec.js';
import { coerceScalars } from './coerce.js';
import { compileManifest } from './compile.js';
import type { ReadFile } from './environment.js';
import { interpolateDocument } from './interpolate.js';
import { manifestError } from './problems.js';
import { manifestSchema, type ManifestInput } from './schema.js';
import { validateAgainstSchema } from './schema-errors.js';
import { parseYaml } from './yaml-source.js';

export type LoadedManifest = StackSpec & {
  /** things worth telling the user that do not stop the stack (unset variables, odd dependencies) */
  warnings: string[];
};

export interface ParseManifestOptions {
  /** the manifest's path; relative paths are resolved against the current folder */
  file: string;
  /** variables for interpolation; they win over the project's `.env` */
  env: Record<string, string | undefined>;
  /** reads a file the manifest names (`.env`, env_file); undefined when it does not exist */
  readFile?: ReadFile;
  /** the runtime chosen on the command line (`--runtime`); wins over the manifest's `runtime:` */
  runtime?: 'process' | 'kubernetes';
  /** the runtime when neither the command line nor the manifest names one (the project's last); default process */
  defaultRuntime?: 'process' | 'kubernetes';
}

export function parseManifest(text: string, opts: ParseManifestOptions): LoadedManifest {
  const file = resolve(opts.file);
  const dir = dirname(file);
  const src = parseYaml(text, file);

  const dotenvText = opts.readFile?.(join(dir, '.env'));
  const projectEnv = dotenvText === undefined ? {} : parseDotenv(dotenvText);
  const lookup = (name: string): string | undefined => {
    if (Object.hasOwn(opts.env, name) && opts.env[name] !== undefined) return opts.env[name];
    return Object.hasOwn(projectEnv, name) ? projectEnv[name] : undefined;
  };
  const { problems, warnings } = interpolateDocument(src, lookup);
  if (problems.length > 0) {
    throw manifestError(problems, {
      file,
      hint: 'Set the variable in the environment or in .env beside the manifest (or give it a default, ${VAR:-default}); write $$ for a literal $.',
    });
  }

  const data = coerceScalars(src.doc.toJS(), manifestSchema);
  const invalid = validateAgainstSchema(data, src);
  if (invalid.length > 0) throw manifestError(invalid, { file });

  const { spec, warnings: more } = compileManifest(data as ManifestInput, { src, file, dir, env: opts.env, readFile: opts.readFile, runtime: opts.runtime, defaultRuntime: opts.defaultRuntime });
  return { ...spec, warnings: [...warnings, ...more] };
}
