import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TuttiError } from '../errors.js';
import { findManifest, loadManifestFile } from './load-manifest.js';

let root: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'tutti-manifest-')));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const MANIFEST = 'name: shop\nservices:\n  api:\n    command: node api.js\n    env_file: api.env\n    env: { TAG: "${TAG:-none}" }\n';

describe('loadManifestFile', () => {
  it('loads a folder\'s tutti.yaml with its .env and env files', () => {
    const file = write('shop/tutti.yaml', MANIFEST);
    write('shop/.env', 'TAG=from-dotenv\n');
    write('shop/api.env', 'FROM_FILE=yes\n');
    const spec = loadManifestFile(join(root, 'shop'), {});
    expect(spec.file).toBe(file);
    expect(spec.dir).toBe(join(root, 'shop'));
    expect(spec.services.api.env).toEqual({ FROM_FILE: 'yes', TAG: 'from-dotenv' });
    expect(spec.services.api.cwd).toBe(join(root, 'shop'));
  });

  it('lets the given environment win over .env', () => {
    write('shop/tutti.yaml', MANIFEST);
    write('shop/.env', 'TAG=from-dotenv\n');
    write('shop/api.env', '');
    expect(loadManifestFile(join(root, 'shop/tutti.yaml'), { TAG: 'from-env' }).services.api.env.TAG).toBe('from-env');
  });

  it('accepts tutti.yml, and prefers tutti.yaml when both exist', () => {
    const yml = write('a/tutti.yml', 'name: from-yml\nservices: {}\n');
    expect(loadManifestFile(join(root, 'a'), {})).toMatchObject({ name: 'from-yml', file: yml, warnings: [] });
    write('a/tutti.yaml', 'name: from-yaml\nservices: {}\n');
    const both = loadManifestFile(join(root, 'a'), {});
    expect(both.name).toBe('from-yaml');
    expect(both.warnings).toEqual([`found both tutti.yaml and tutti.yml in ${join(root, 'a')}; using tutti.yaml`]);
  });

  it('loads a manifest by any file name', () => {
    const file = write('stacks/dev.yaml', 'name: dev\nservices: {}\n');
    expect(loadManifestFile(file, {}).name).toBe('dev');
  });

  it.each([
    ['an empty folder', 'empty', /^no tutti\.yaml or tutti\.yml in /],
    ['a missing file', 'nope/tutti.yaml', /^manifest not found: /],
  ])('reports %s as TUTTI_E_MANIFEST_NOT_FOUND with a hint', (_what, rel, message) => {
    mkdirSync(join(root, 'empty'));
    const e = (() => {
      try {
        loadManifestFile(join(root, rel), {});
      } catch (err) {
        return err as TuttiError;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(TuttiError);
    expect(e.code).toBe('TUTTI_E_MANIFEST_NOT_FOUND');
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });

  it('names a missing env_file', () => {
    write('shop/tutti.yaml', MANIFEST);
    expect(() => loadManifestFile(join(root, 'shop'), {})).toThrow(/env_file "api\.env" of service "api" was not found/);
  });
});

describe('findManifest', () => {
  it('walks up to the nearest folder holding a manifest', () => {
    const outer = write('tutti.yaml', 'name: outer\nservices: {}\n');
    const inner = write('project/tutti.yml', 'name: inner\nservices: {}\n');
    mkdirSync(join(root, 'project/src/deep'), { recursive: true });
    expect(findManifest(join(root, 'project/src/deep'))).toBe(inner);
    expect(findManifest(join(root, 'project'))).toBe(inner);
    expect(findManifest(root)).toBe(outer);
  });

  it('ignores a folder named like a manifest', () => {
    mkdirSync(join(root, 'a/tutti.yaml'), { recursive: true });
    const outer = write('tutti.yaml', 'name: outer\nservices: {}\n');
    expect(findManifest(join(root, 'a'))).toBe(outer);
  });

  it('returns undefined when no folder above holds one', () => {
    mkdirSync(join(root, 'x/y'), { recursive: true });
    // a manifest above the temporary folder would be found legitimately
    const above: string[] = [];
    for (let dir = dirname(root); ; dir = dirname(dir)) {
      above.push(...['tutti.yaml', 'tutti.yml'].map((n) => join(dir, n)).filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile()));
      if (dirname(dir) === dir) break;
    }
    expect(findManifest(join(root, 'x/y'))).toBe(above[0]);
  });
});
