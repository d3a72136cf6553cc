// Test service: spawns a grandchild (a shell sleeping) and writes both pids to PIDS_FILE;
// with IGNORE_TERM=1 it ignores SIGTERM, so only SIGKILL after the grace period stops it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const child = spawn('sh', ['-c', 'trap "" TERM; while true; do sleep 1; done'], { stdio: 'ignore' });
writeFileSync(process.env.PIDS_FILE, JSON.stringify({ parent: process.pid, child: child.pid }));
if (process.env.IGNORE_TERM === '1') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log(`family up: ${process.pid} -> ${child.pid}`);
setInterval(() => {}, 1 << 30);
