// Runs benchmarks: `npm run bench -- <name> [options]` runs bench/<name>.js with the options,
// `npm run bench` runs every one. Each runs in its own process, so one's daemons, timers and
// memory never bleed into another's figures. Exit code 1 only when a benchmark itself broke;
// a missed target is a result, not a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.slice(0, -3))
  .sort();

const [first, ...rest] = process.argv.slice(2);
const named = first !== undefined && !first.startsWith('-');
const names = named ? [first] : available;
const args = named ? rest : process.argv.slice(2);

if (named && !available.includes(first)) {
  console.error(`no benchmark named ${first}; there are: ${available.join(', ')}`);
  process.exit(2);
}

let broken = 0;
for (const name of names) {
  if (names.length > 1) console.log(`\n=== ${name} ===`);
  const { status, signal } = spawnSync(process.execPath, [`${here}${name}.js`, ...args], { stdio: 'inherit' });
  if (status !== 0) {
    broken += 1;
    console.error(`benchmark ${name} broke (${status ?? signal})`);
  }
}
process.exit(broken > 0 ? 1 : 0);
