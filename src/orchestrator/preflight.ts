// Checks made before an apply touches anything, so bad input never disturbs the running
// stack: every command that will be started can be found, and every fixed port that a new
// instance will bind is free (or held by this service's own instances).

import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import which from 'which';
import { TuttiError, type ServiceSpec } from '../core/index.js';

export function checkCommand(spec: ServiceSpec): void {
  const exe = spec.command[0];
  if (!exe) {
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `service ${spec.name} has an empty command`, {
      hint: 'set services.' + spec.name + '.command',
    });
  }
  if (exe.includes('/')) {
    const file = path.resolve(spec.cwd, exe);
    try {
      accessSync(file, constants.X_OK);
      return;
    } catch {
      throw notFound(spec, exe, `${file} does not exist or is not executable`);
    }
  }
  const pathEnv = spec.env.PATH ?? process.env.PATH ?? '';
  if (!which.sync(exe, { nothrow: true, path: pathEnv })) {
    throw notFound(spec, exe, `it is not on the PATH`);
  }
}

function notFound(spec: ServiceSpec, exe: string, why: string): TuttiError {
  return new TuttiError('TUTTI_E_COMMAND_NOT_FOUND', `command not found for service ${spec.name}: ${exe} (${why})`, {
    hint: `check services.${spec.name}.command in the manifest; nothing was changed`,
  });
}

/** Rejects when something else listens on the port. */
export async function checkPortFree(spec: ServiceSpec): Promise<void> {
  const port = spec.port;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new TuttiError('TUTTI_E_PORT_IN_USE', `port ${port} of service ${spec.name} is already in use by another process`, {
      hint: `stop whatever listens on ${port}, or set services.${spec.name}.port to 0 to allocate one; nothing was changed`,
    });
  }
}
