/**
 * Builds the viewer (`npm run build:viewer`): viewer/index.html → viewer/dist, relative asset
 * paths so `natrium view` can serve it under any origin, the worker as an ES module. No inline
 * scripts (the server's Content-Security-Policy forbids them).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
});
