// Builds the dashboard into dist/web: `npx vite build -c web/vite.config.ts` (part of `npm run
// build`). Preact with its Vite preset; uPlot and elkjs are imported lazily by the pages that
// draw charts and graphs, so they are separate chunks the overview never loads. Every text
// asset is also written pre-compressed (.br, .gz) so the control plane sends the small file
// without compressing on each request (@fastify/static `preCompressed`).

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', 'dist', 'web');

function precompress(): Plugin {
  return {
    name: 'tutti-precompress',
    apply: 'build',
    closeBundle() {
      const dir = path.join(outDir, 'assets');
      for (const name of readdirSync(dir)) {
        if (!/\.(js|css|svg|json|map)$/.test(name)) continue;
        const file = path.join(dir, name);
        if (statSync(file).size < 1024) continue;
        const data = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  plugins: [preact({ devtoolsInProd: false, prefreshEnabled: false }), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // elk's layout worker is ~1.6 MB by itself; it is loaded only by the graph pages
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite -c web/vite.config.ts` with a daemon running: TUTTI_DEV_API=http://127.0.0.1:PORT
    proxy: process.env.TUTTI_DEV_API
      ? Object.fromEntries(['/api', '/login'].map((p) => [p, { target: process.env.TUTTI_DEV_API, changeOrigin: false }]))
      : undefined,
  },
});
