// Where the built dashboard (Vite's output, dist/web) is: beside the compiled server
// (dist/server/... → dist/web), beside the daemon bundle, or, when the server runs from its
// TypeScript sources (tests), in the checkout's dist/web.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the dashboard's index.html, or undefined when it was never built. */
export function findWebRoot(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (;;) {
    if (path.basename(dir) === 'dist' && existsSync(path.join(dir, 'web', 'index.html'))) return path.join(dir, 'web');
    if (existsSync(path.join(dir, 'dist', 'web', 'index.html'))) return path.join(dir, 'dist', 'web');
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
