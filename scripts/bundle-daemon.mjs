// Bundles the control-plane daemon into one file (dist/server/daemon.bundle.js). One file
// instead of several hundred modules keeps the daemon's resident memory about 15 MiB lower
// (bench/startup.js measures it); `tutti up` starts this bundle when it exists. Modules the
// daemon imports lazily (the monitor, only for stacks with alert rules) go to chunks of
// their own under dist/server/chunks/, loaded when first needed.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/server/main.ts'],
  outdir: 'dist/server',
  entryNames: 'daemon.bundle',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // smaller, but identifiers stay readable in the daemon's stack traces
  minifyWhitespace: true,
  minifySyntax: true,
  // native or loaded on demand: resolved from node_modules at run time
  external: ['better-sqlite3', 'pidusage', '@kubernetes/client-node'],
  // CommonJS dependencies call require(); give the ES module bundle one
  banner: { js: "import { createRequire as __tuttiRequire } from 'node:module'; const require = __tuttiRequire(import.meta.url);" },
  logLevel: 'warning',
});
