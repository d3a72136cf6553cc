// Entry point of the background daemon that `tutti up` starts: `node dist/server/main.js --dir D`.
// It loads only the server side, not the command line.

import { parseArgs } from 'node:util';
import { runDaemon } from './daemon.js';

// The CLI starts the daemon with MALLOC_ARENA_MAX=1 for itself only (glibc read it at start):
// the services it starts inherit the user's own value, or none.
const userArenas = process.env.TUTTI_USER_MALLOC_ARENA_MAX;
if (userArenas !== undefined) {
  if (userArenas === '') delete process.env.MALLOC_ARENA_MAX;
  else process.env.MALLOC_ARENA_MAX = userArenas;
  delete process.env.TUTTI_USER_MALLOC_ARENA_MAX;
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.' },
    host: { type: 'string' },
    port: { type: 'string' },
    runtime: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string' },
  },
});

runDaemon({
  dir: values.dir!,
  host: values.host,
  port: values.port === undefined ? undefined : Number(values.port),
  runtime: values.runtime as 'process' | 'kubernetes' | undefined,
  context: values.context,
  namespace: values.namespace,
}).catch((err) => {
  process.stderr.write(`tutti control plane failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
