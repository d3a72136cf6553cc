// Entry point of the background daemon that `tutti up` starts: `node dist/server/main.js --dir D`.
// It loads only the server side, not the command line.

import { parseArgs } from 'node:util';
import { runDaemon } from './daemon.js';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: '.' }, host: { type: 'string' }, port: { type: 'string' } },
});

runDaemon({ dir: values.dir!, host: values.host, port: values.port === undefined ? undefined : Number(values.port) }).catch((err) => {
  process.stderr.write(`tutti control plane failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
