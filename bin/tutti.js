#!/usr/bin/env node
// The tutti command: runs this checkout's compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: tutti is not built yet\nhint: run `npm install` (or `npm run build`) in the tutti folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
