// `tutti dashboard [--open]`: prints the dashboard's URL with a one-time login code (asked of
// the control plane with the project's token), so the browser logs in without the token ever
// being typed or put in a URL; --open opens it with the system's opener when there is one.
// `tutti up` prints the same link at the end.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import which from 'which';
import { TuttiError, type TuttiErrorJSON } from '../../core/index.js';
import { connect } from '../daemon-control.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject, type Project } from '../project.js';

export interface DashboardLink {
  /** open this to log in (works once, until expiresAt) */
  url: string;
  /** the dashboard without the code */
  home: string;
  expiresAt: number;
}

/** The token the CLI talks to the control plane with (the one `connect` uses). */
function tokenFor(project: Project, g: GlobalOptions): string {
  if (g.url ?? process.env.TUTTI_URL) return g.token ?? process.env.TUTTI_TOKEN ?? '';
  try {
    return readFileSync(path.join(project.stateDir, 'token'), 'utf8').trim();
  } catch {
    return '';
  }
}

/** Asks the control plane at `baseUrl` for a one-time login code and builds the link. */
export async function dashboardLink(baseUrl: string, token: string): Promise<DashboardLink> {
  const base = baseUrl.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/dashboard/login-codes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch {
    throw new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `the control plane at ${base} cannot be reached`, { hint: 'is it running? `tutti up` starts it' });
  }
  const body = (await res.json().catch(() => undefined)) as (Partial<TuttiErrorJSON> & { path?: string; expiresAt?: number }) | undefined;
  if (res.status === 404) {
    throw new TuttiError('TUTTI_E_UNAVAILABLE', 'this control plane serves no dashboard', {
      hint: 'it runs an older tutti: restart it (`tutti down` then `tutti up`)',
    });
  }
  if (!res.ok || !body?.path) {
    if (body?.code && body.message) throw TuttiError.fromJSON(body as TuttiErrorJSON);
    throw new TuttiError('TUTTI_E_INTERNAL', `asking for a login code failed with HTTP ${res.status}`);
  }
  return { url: `${base}${body.path}`, home: `${base}/`, expiresAt: body.expiresAt ?? 0 };
}

/** The link for the project's control plane, or undefined when it cannot be had (never throws). */
export async function tryDashboardLink(project: Project, g: GlobalOptions, baseUrl: string): Promise<DashboardLink | undefined> {
  return dashboardLink(baseUrl, tokenFor(project, g)).catch(() => undefined);
}

export function describeLink(link: DashboardLink): string {
  const minutes = Math.max(1, Math.round((link.expiresAt - Date.now()) / 60_000));
  return `${pc.bold('Dashboard:')} ${pc.cyan(link.url)}\n${pc.dim(`  one-time login link, valid ${minutes} min; \`tutti dashboard\` prints a new one`)}\n`;
}

/** xdg-open on Linux and the BSDs, open on macOS, start on Windows; undefined when none is installed. */
async function opener(): Promise<string[] | undefined> {
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  const name = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const found = await which(name, { nothrow: true });
  return found ? [found] : undefined;
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('print the web dashboard\'s URL with a one-time login code (--open opens it)')
    .option('--open', 'open it in the browser')
    .action(async (opts: { open?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const project = resolveProject({ file: g.file });
      const client = await connect(project, { start: 'never', url: g.url, token: g.token });
      const link = await dashboardLink(client.url, tokenFor(project, g));
      let opened: boolean | undefined;
      if (opts.open) {
        const cmdline = await opener();
        if (cmdline) {
          const [bin, ...args] = cmdline;
          const child = spawn(bin, [...args, link.url], { detached: true, stdio: 'ignore' });
          opened = await new Promise<boolean>((resolve) => {
            child.once('error', () => resolve(false));
            child.once('spawn', () => resolve(true));
          });
          child.unref();
        } else opened = false;
      }
      if (g.json) return printJson({ ...link, ...(opts.open && { opened }) });
      process.stdout.write(describeLink(link));
      if (opened === true) process.stdout.write(`${pc.green('✔')} opened in your browser\n`);
      if (opened === false) {
        process.stdout.write(`${pc.yellow('!')} no ${process.platform === 'darwin' ? 'open' : 'xdg-open'} command here to open a browser: open the link yourself\n`);
      }
    });
}
