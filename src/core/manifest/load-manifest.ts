// The manifest loader's only I/O: finding `tutti.yaml` (or `tutti.yml`) as docker compose finds
// its file, and reading it and the files it names from disk.

import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TuttiError } from '../errors.js';
import { parseManifest, type LoadedManifest } from './parse-manifest.js';

export const MANIFEST_FILE_NAMES = ['tutti.yaml', 'tutti.yml'] as const;

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function manifestsIn(dir: string): string[] {
  return MANIFEST_FILE_NAMES.map((name) => join(dir, name)).filter(isFile);
}

/** The nearest tutti.yaml / tutti.yml in `startDir` or a folder above it. */
export function findManifest(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const [found] = manifestsIn(dir);
    if (found) return found;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Reads a file the manifest names; undefined when it does not exist. */
function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `cannot read ${path}: ${(e as Error).message}`, {
      hint: 'Check the file\'s permissions.',
      cause: e,
    });
  }
}

/** Loads a manifest from its path, or from the folder holding it. */
export function loadManifestFile(
  pathOrDir: string,
  env: Record<string, string | undefined> = process.env,
  opts: { runtime?: 'process' | 'kubernetes'; defaultRuntime?: 'process' | 'kubernetes' } = {},
): LoadedManifest {
  const target = resolve(pathOrDir);
  const stat = statSync(target, { throwIfNoEntry: false });
  const warnings: string[] = [];
  let file = target;
  if (stat?.isDirectory()) {
    const found = manifestsIn(target);
    if (found.length === 0) {
      throw new TuttiError('TUTTI_E_MANIFEST_NOT_FOUND', `no tutti.yaml or tutti.yml in ${target}`, {
        hint: 'Pass the path of a manifest, or the folder holding tutti.yaml.',
      });
    }
    if (found.length > 1) warnings.push(`found both tutti.yaml and tutti.yml in ${target}; using tutti.yaml`);
    file = found[0];
  } else if (!stat?.isFile()) {
    throw new TuttiError('TUTTI_E_MANIFEST_NOT_FOUND', `manifest not found: ${target}`, {
      hint: 'Pass the path of a manifest, or the folder holding tutti.yaml.',
    });
  }
  const spec = parseManifest(readFileSync(file, 'utf8'), { file, env, readFile: readIfExists, runtime: opts.runtime, defaultRuntime: opts.defaultRuntime });
  return { ...spec, warnings: [...warnings, ...spec.warnings] };
}
