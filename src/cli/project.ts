// Finding the project a command is about, as docker compose does: `-f FILE`, or the nearest
// folder upwards holding a tutti.yaml (or a `.tutti/` state folder). State lives in `.tutti/`
// beside the manifest.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { TuttiError } from '../core/index.js';
import { findManifest } from '../core/manifest/index.js';

export interface Project {
  dir: string;
  stateDir: string;
  /** the manifest, when there is one */
  file?: string;
}

export function resolveProject(opts: { file?: string; path?: string }, cwd = process.cwd()): Project {
  const given = opts.path ?? opts.file;
  if (given) {
    const abs = path.resolve(cwd, given);
    const isFile = /\.ya?ml$/.test(abs);
    const dir = isFile ? path.dirname(abs) : abs;
    const file = isFile ? abs : findManifestIn(dir);
    if (!existsSync(dir)) {
      throw new TuttiError('TUTTI_E_MANIFEST_NOT_FOUND', `no such folder: ${dir}`, { hint: 'pass a tutti.yaml or the folder holding one' });
    }
    return { dir, stateDir: path.join(dir, '.tutti'), file };
  }
  let dir = cwd;
  for (;;) {
    const file = findManifestIn(dir);
    if (file || existsSync(path.join(dir, '.tutti', 'daemon.json'))) return { dir, stateDir: path.join(dir, '.tutti'), file };
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const found = findManifest(cwd);
  if (found) return { dir: path.dirname(found), stateDir: path.join(path.dirname(found), '.tutti'), file: found };
  throw new TuttiError('TUTTI_E_MANIFEST_NOT_FOUND', `no tutti.yaml in ${cwd} or any folder above it`, {
    hint: 'run the command in your project folder, or pass -f path/to/tutti.yaml',
  });
}

function findManifestIn(dir: string): string | undefined {
  for (const name of ['tutti.yaml', 'tutti.yml']) {
    const f = path.join(dir, name);
    if (existsSync(f)) return f;
  }
  return undefined;
}
