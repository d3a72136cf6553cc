// `tutti server`: the control plane in the foreground (containers, production). The server
// layer is loaded only here, so other commands stay light.

import type { Command } from 'commander';
import { checkRuntimeFlags, withRuntimeOptions, type RuntimeFlags } from '../runtime-options.js';

export function registerServer(program: Command): void {
  withRuntimeOptions(program
    .command('server')
    .description('run the control plane in the foreground')
    .option('--dir <folder>', 'project folder; state goes to <folder>/.tutti', '.')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '0'))
    .action(async (o: { dir: string; host: string; port: string } & RuntimeFlags) => {
      checkRuntimeFlags(o.runtime, o);
      const { runDaemon } = await import('../../server/daemon.js');
      await runDaemon({ dir: o.dir, host: o.host, port: Number(o.port), runtime: o.runtime, context: o.context, namespace: o.namespace });
    });
}
