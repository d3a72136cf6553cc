// The `tutti` command line: one file per command under commands/, all talking to the
// control plane through the typed client.

import { Command, CommanderError } from 'commander';
import { registerAlerts } from './commands/alerts.js';
import { registerConfig } from './commands/config.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDown } from './commands/down.js';
import { registerEvents } from './commands/events.js';
import { registerInstances } from './commands/instances.js';
import { registerLogs } from './commands/logs.js';
import { registerPs } from './commands/ps.js';
import { registerRegister } from './commands/register.js';
import { registerServer } from './commands/server.js';
import { registerServiceActions } from './commands/service-actions.js';
import { registerTop } from './commands/top.js';
import { registerServices } from './commands/services.js';
import { registerUp } from './commands/up.js';
import { registerWorkflow } from './commands/workflow.js';
import { addCommonOptions, printError } from './output.js';
import { VERSION } from './version.js';
import { registerRender } from './commands/render.js';

export async function main(argv = process.argv): Promise<void> {
  // `tutti logs | head`: the reader went away, which is not an error of ours
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }

  const program = new Command('tutti')
    .description('tutti: discover, compose, deploy and manage services')
    .version(VERSION)
    .option('-f, --file <path>', 'the manifest (default: tutti.yaml in this folder or above)')
    .option('--json', 'machine-readable output')
    .option('--debug', 'show stack traces')
    .option('--url <url>', 'talk to this control plane instead of the project\'s daemon (env TUTTI_URL)')
    .option('--token <token>', 'bearer token for --url (env TUTTI_TOKEN)')
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();

  registerUp(program);
  registerDown(program);
  registerDashboard(program);
  registerRender(program);
  registerPs(program);
  registerLogs(program);
  registerAlerts(program);
  registerTop(program);
  registerServiceActions(program);
  registerServices(program);
  registerInstances(program);
  registerRegister(program);
  registerConfig(program);
  registerServer(program);
  registerWorkflow(program);
  registerEvents(program);
  addCommonOptions(program);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    printError(err, argv.includes('--debug'));
    process.exitCode = 1;
  }
}
