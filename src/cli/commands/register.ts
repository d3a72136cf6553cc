// `tutti register|deregister|heartbeat`: instances started outside tutti announce themselves to
// the registry from a shell (scripts, cron jobs, services without the SDK), Consul style.
// Flags are checked here so a mistake names the flag the user typed, not an API field.

import type { Command } from 'commander';
import { parseDuration, TuttiError } from '../../core/index.js';
import { createClient, type CheckStatus, type RegisterInput, type TuttiClient } from '../../client/index.js';
import { connect } from '../daemon-control.js';
import { printJson, type GlobalOptions } from '../output.js';
import { resolveProject } from '../project.js';

export interface RegisterFlags {
  address?: string;
  port?: string;
  id?: string;
  tag?: string[];
  meta?: string[];
  ttl?: string;
  http?: string;
  tcp?: boolean;
  interval?: string;
  deregisterAfter?: string;
}

const STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical'];

function badFlag(flag: string, what: string, hint: string): TuttiError {
  return new TuttiError('TUTTI_E_BAD_REQUEST', `${flag} ${what}`, { hint, details: { flag } });
}

function durationFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw badFlag(flag, `"${value}" is not a duration`, `write it like 10s, 500ms or 1m30s, e.g. ${flag} 30s`);
  return value;
}

/** The registration the flags describe; throws naming the first bad flag. */
export function registerInputFromFlags(service: string, f: RegisterFlags): RegisterInput {
  if (f.port === undefined) throw badFlag('--port', 'is required', 'give the port the instance listens on, e.g. --port 8080');
  const port = Number(f.port);
  if (!/^\d+$/.test(f.port) || port < 1 || port > 65535) throw badFlag('--port', `"${f.port}" is not a port number (1-65535)`, 'e.g. --port 8080');
  const kinds = [f.ttl !== undefined && '--ttl', f.http !== undefined && '--http', f.tcp === true && '--tcp'].filter((k): k is string => k !== false);
  if (kinds.length > 1) throw badFlag(kinds[1], `cannot be combined with ${kinds[0]}`, 'an instance has one check: --ttl (heartbeats), --http URL or --tcp');
  if (f.interval !== undefined && f.http === undefined && f.tcp !== true) {
    throw badFlag('--interval', 'applies to --http and --tcp checks only', 'a --ttl check is kept alive by `tutti heartbeat ID`');
  }
  const meta: Record<string, string> = {};
  for (const pair of f.meta ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw badFlag('--meta', `"${pair}" is not KEY=VALUE`, 'e.g. --meta version=1.4 --meta zone=eu-1');
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const input: RegisterInput = { service, address: f.address ?? '127.0.0.1', port };
  if (f.id !== undefined) input.id = f.id;
  if (f.tag && f.tag.length > 0) input.tags = f.tag;
  if (Object.keys(meta).length > 0) input.meta = meta;
  const check: NonNullable<RegisterInput['check']> = {};
  if (f.ttl !== undefined) check.ttl = durationFlag('--ttl', f.ttl);
  if (f.http !== undefined) check.http = f.http;
  if (f.tcp) check.tcp = true;
  if (f.interval !== undefined) check.interval = durationFlag('--interval', f.interval);
  if (f.deregisterAfter !== undefined) check.deregister_critical_after = durationFlag('--deregister-after', f.deregisterAfter);
  if (Object.keys(check).length > 0) input.check = check;
  return input;
}

export function heartbeatStatus(value: string | undefined): CheckStatus | undefined {
  if (value === undefined) return undefined;
  if (!(STATUSES as readonly string[]).includes(value)) {
    throw badFlag('--status', `"${value}" is not a check status`, `use one of ${STATUSES.join(', ')}`);
  }
  return value as CheckStatus;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The registry commands also work from outside a project: with --url or TUTTI_URL no manifest is needed. */
export async function connectRegistry(g: GlobalOptions): Promise<TuttiClient> {
  const url = g.url ?? process.env.TUTTI_URL;
  if (url) return createClient({ url, token: g.token ?? process.env.TUTTI_TOKEN ?? '' });
  let project;
  try {
    project = resolveProject({ file: g.file });
  } catch (err) {
    if (err instanceof TuttiError && err.code === 'TUTTI_E_MANIFEST_NOT_FOUND') {
      throw new TuttiError(err.code, err.message, {
        hint: 'run it in a project folder, or name the control plane with --url and --token (or TUTTI_URL and TUTTI_TOKEN)',
      });
    }
    throw err;
  }
  return connect(project, { start: 'if-state' });
}

export function registerRegister(program: Command): void {
  program
    .command('register')
    .description('register an instance started outside tutti, with a ttl, http or tcp check')
    .argument('<service>', 'the service name it is found by')
    .option('--address <address>', 'IP address or host name it listens on', '127.0.0.1')
    .option('--port <port>', 'port it listens on')
    .option('--id <id>', 'instance id (default: <service>-<random>; an existing id is replaced)')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--meta <key=value>', 'metadata (repeatable)', collect)
    .option('--ttl <duration>', 'TTL check: critical unless `tutti heartbeat ID` comes this often')
    .option('--http <url>', 'HTTP check: a URL, or a path probed on the instance (/healthz)')
    .option('--tcp', 'TCP check: connect to address:port')
    .option('--interval <duration>', 'probe period of an --http or --tcp check (default 10s)')
    .option('--deregister-after <duration>', 'remove it after being critical this long (default 1m)')
    .action(async (service: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions & RegisterFlags>();
      const input = registerInputFromFlags(service, g);
      const client = await connectRegistry(g);
      const instance = await client.registerInstance(input);
      if (g.json) return printJson(instance);
      process.stdout.write(instance.id + '\n');
    });

  program
    .command('deregister')
    .description('remove an instance registered with `tutti register` or the SDK')
    .argument('<id>', 'the instance id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const instance = await (await connectRegistry(g)).deregisterInstance(id);
      if (g.json) return printJson(instance);
      process.stdout.write(`deregistered ${instance.id} (${instance.service})\n`);
    });

  program
    .command('heartbeat')
    .description("report a TTL-checked instance alive (Consul's check pass/warn/fail)")
    .argument('<id>', 'the instance id')
    .option('--status <status>', 'passing, warning or critical', 'passing')
    .option('--output <text>', 'why (shown by `tutti instances`)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions & { status?: string; output?: string }>();
      const status = heartbeatStatus(g.status);
      const instance = await (await connectRegistry(g)).heartbeat(id, g.output === undefined ? { status } : { status, output: g.output });
      if (g.json) return printJson(instance);
      process.stdout.write(`${instance.id} ${instance.status}\n`);
    });
}
