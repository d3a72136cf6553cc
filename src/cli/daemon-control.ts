// Finding the project's control-plane daemon, and starting it when there is none: the daemon
// records its pid and address in `.tutti/daemon.json` and its token in `.tutti/token`.
// Starting is guarded by a lock so two commands run at once start one daemon, not two.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { createClient, type TuttiClient } from '../client/index.js';
import { TuttiError } from '../core/index.js';
import type { Project } from './project.js';

export interface DaemonInfo {
  pid: number;
  url: string;
  host: string;
  port: number;
  startedAt: number;
  version: string;
}

// the bundled daemon (npm run build makes it) holds less memory than the module tree
const BUNDLED_DAEMON = fileURLToPath(new URL('../server/daemon.bundle.js', import.meta.url));
const DAEMON_ENTRY = existsSync(BUNDLED_DAEMON) ? BUNDLED_DAEMON : fileURLToPath(new URL('../server/main.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export function readDaemonInfo(stateDir: string): DaemonInfo | undefined {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, 'daemon.json'), 'utf8')) as DaemonInfo;
  } catch {
    return undefined;
  }
}

function readToken(stateDir: string): string | undefined {
  try {
    return readFileSync(path.join(stateDir, 'token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A client for the running daemon, or undefined when none answers. */
export async function findDaemon(project: Project): Promise<TuttiClient | undefined> {
  const info = readDaemonInfo(project.stateDir);
  const token = readToken(project.stateDir);
  if (!info || !token || !alive(info.pid)) return undefined;
  const client = createClient({ url: info.url, token });
  try {
    await client.healthz();
    return client;
  } catch {
    return undefined;
  }
}

export interface ConnectOptions {
  /** start a daemon when none runs: always for `up`; for other commands when the project has state */
  start: 'always' | 'if-state' | 'never';
  url?: string;
  token?: string;
  /** flags for a daemon started here (`--runtime kubernetes --namespace N`); a running one keeps its own */
  daemonArgs?: string[];
}

export async function connect(project: Project, opts: ConnectOptions): Promise<TuttiClient> {
  const url = opts.url ?? process.env.TUTTI_URL;
  if (url) return createClient({ url, token: opts.token ?? process.env.TUTTI_TOKEN ?? '' });
  const running = await findDaemon(project);
  if (running) return running;
  const hasState = existsSync(path.join(project.stateDir, 'state.db'));
  if (opts.start === 'never' || (opts.start === 'if-state' && !hasState)) {
    throw new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `no tutti control plane is running for ${project.dir}`, {
      hint: 'run `tutti up` to start the stack',
    });
  }
  return startDaemon(project, opts.daemonArgs ?? []);
}

async function startDaemon(project: Project, args: string[]): Promise<TuttiClient> {
  mkdirSync(project.stateDir, { recursive: true });
  const release = await lockfile.lock(project.stateDir, {
    lockfilePath: path.join(project.stateDir, 'daemon-start.lock'),
    retries: { retries: 100, minTimeout: 50, maxTimeout: 200 },
    stale: START_TIMEOUT_MS,
  });
  try {
    const already = await findDaemon(project);
    if (already) return already;
    const logFile = path.join(project.stateDir, 'daemon.log');
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [...daemonNodeFlags(), DAEMON_ENTRY, '--dir', project.dir, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: daemonEnv(),
      cwd: project.dir,
    });
    closeSync(fd);
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited !== undefined) break;
      const info = readDaemonInfo(project.stateDir);
      if (info?.pid === child.pid) {
        const client = await findDaemon(project);
        if (client) return client;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const tail = tailOf(logFile, 10);
    if (exited === undefined) child.kill('SIGKILL');
    throw new TuttiError('TUTTI_E_DAEMON_START', `the tutti control plane did not start${exited !== undefined ? ` (exit code ${exited})` : ' in time'}`, {
      hint: tail ? `its log (${logFile}) ends with:\n${tail}` : `see ${logFile}`,
    });
  } finally {
    await release();
  }
}

/**
 * V8 settings of the daemon. A small young generation keeps its resident memory low (the
 * daemon allocates little that lives long); TUTTI_DAEMON_NODE_FLAGS replaces them.
 */
function daemonNodeFlags(): string[] {
  const custom = process.env.TUTTI_DAEMON_NODE_FLAGS;
  if (custom !== undefined) return custom.split(/\s+/).filter(Boolean);
  return ['--max-semi-space-size=1'];
}

/**
 * One malloc arena: the daemon's native allocations come from few threads, and glibc's
 * default of several arenas holds about 5 MiB more. The services the daemon starts get the
 * user's own setting back (see server/main.ts).
 */
function daemonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MALLOC_ARENA_MAX: '1', TUTTI_USER_MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '' };
}

function tailOf(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}
