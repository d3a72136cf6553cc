// `tutti render kubernetes` and `tutti render control-plane`, in-process: what they print
// (YAML documents that read back as valid objects, or JSON), the namespace they pick, and
// the refusal of a stack a cluster cannot run. No cluster is involved.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { addCommonOptions } from '../output.js';
import { registerRender } from './render.js';

let dir: string;
const savedKubeconfig = process.env.KUBECONFIG;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-render-'));
  // a kubeconfig whose context names a namespace, and nothing else
  writeFileSync(join(dir, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config', 'current-context: dev',
    'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
    'users: [{ name: u, user: { token: t } }]',
    'contexts: [{ name: dev, context: { cluster: c, user: u, namespace: team-a } }, { name: other, context: { cluster: c, user: u } }]',
  ].join('\n'));
  process.env.KUBECONFIG = join(dir, 'kubeconfig');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

async function tutti(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const program = new Command('tutti').option('-f, --file <path>').option('--json').exitOverride();
    registerRender(program);
    addCommonOptions(program);
    await program.parseAsync(['node', 'tutti', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

function manifest(body: string): string {
  writeFileSync(join(dir, 'tutti.yaml'), body);
  return dir;
}

const shop = `name: shop
runtime: kubernetes
services:
  api:
    image: ghcr.io/acme/api:1
    replicas: 2
    env_file: api.env
    health: { http: /healthz }
    depends_on: { db: healthy }
  db:
    image: postgres:16
    port: 5432
    protocol: tcp
`;

describe('tutti render kubernetes', () => {
  it("prints one YAML document per object, in the kubeconfig context's namespace", async () => {
    writeFileSync(join(dir, 'api.env'), 'API_TOKEN=s3cret\n');
    const { stdout, stderr } = await tutti('render', 'kubernetes', manifest(shop));
    const docs = parseAllDocuments(stdout).map((d) => d.toJSON() as { kind: string; metadata: { name: string; namespace: string } });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Service/db', 'Deployment/db', 'Secret/api-env', 'Service/api', 'Deployment/api']);
    expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['team-a']));
    expect(stdout).toContain('DB_URL');
    expect(stdout).toContain('tcp://db.team-a.svc:5432');
    expect(stdout).not.toContain('s3cret');
    expect(stderr).toMatch(/api-env holds secret values/);
  });

  it('takes --namespace, or the namespace of --context', async () => {
    const path = manifest(shop.replace('    env_file: api.env\n', ''));
    const ns = async (...flags: string[]) => {
      const { stdout } = await tutti('render', 'kubernetes', path, '--json', ...flags);
      return [...new Set((JSON.parse(stdout) as Array<{ metadata: { namespace: string } }>).map((o) => o.metadata.namespace))];
    };
    expect(await ns('--namespace', 'prod')).toEqual(['prod']);
    expect(await ns('--context', 'other')).toEqual(['default']);
    await expect(ns('--context', 'nope')).rejects.toThrow(/the kubeconfig has no context named nope/);
  });

  it('refuses services without an image, naming them', async () => {
    const path = manifest('name: shop\nservices:\n  web: { command: node web.js }\n  worker: { command: node worker.js }\n');
    await expect(tutti('render', 'kubernetes', path)).rejects.toThrow(/service "web" has no image, which the kubernetes runtime needs/);
  });

  it('reads the manifest for kubernetes even without runtime: kubernetes in it', async () => {
    const { stdout } = await tutti('render', 'kubernetes', manifest('name: shop\nservices:\n  web: { image: web:1 }\n'), '--json');
    expect((JSON.parse(stdout) as Array<{ kind: string }>).map((o) => o.kind)).toEqual(['Service', 'Deployment']);
  });
});

describe('tutti render control-plane', () => {
  it('prints the ServiceAccount, least RBAC, Service and Deployment', async () => {
    const { stdout } = await tutti('render', 'control-plane', '--namespace', 'ops', '--image', 'registry.example/tutti:1');
    const docs = parseAllDocuments(stdout).map((d) => d.toJSON() as { kind: string; metadata: { namespace: string }; rules?: unknown[] });
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Service', 'Deployment']);
    expect(docs.every((d) => d.metadata.namespace === 'ops')).toBe(true);
    expect(stdout).toContain('image: registry.example/tutti:1');
    expect(stdout).not.toMatch(/ClusterRole|"\*"|- "\*"/);
  });
});
