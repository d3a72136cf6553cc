// For end-to-end tests of the CLI on the kubernetes runtime: a project folder with the given
// manifest, a `tutti` that runs there with KUBECONFIG pointing at the test API server, and a
// teardown (down, then the daemon killed if it is still there, then the folder removed).

import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { alive, Project, run } from '../helpers/tutti.js';
import type { KubeEnv } from './harness.js';

export interface KubeProject {
  readonly project: Project;
  readonly env: Record<string, string>;
  tutti(...args: string[]): ReturnType<typeof run>;
}

/** Sets the project up in beforeAll (after `before`, if given) and tears it down in afterAll. */
export function kubeProject(env: KubeEnv, manifest: string, before?: () => Promise<void>): KubeProject {
  let p: Project | undefined;
  const vars = (): Record<string, string> => ({ KUBECONFIG: env.cluster.kubeconfigPath });
  const handle: KubeProject = {
    get project() {
      if (!p) throw new Error('the project is set up in beforeAll');
      return p;
    },
    get env() {
      return vars();
    },
    tutti: (...args) => run(args, { cwd: handle.project.dir, env: vars(), timeoutMs: 120_000 }),
  };
  beforeAll(async () => {
    await before?.();
    p = new Project(manifest);
  }, 90_000);
  afterAll(async () => {
    if (!p) return;
    await handle.tutti('down').catch(() => {});
    try {
      const pid = p.daemon().pid;
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // no daemon
    }
    rmSync(p.dir, { recursive: true, force: true });
  });
  return handle;
}
