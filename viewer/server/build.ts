/**
 * The built viewer for `natrium view` and the tests: viewer/dist when it is there, else a build
 * made now with Vite (a devDependency of this repository; `npm run build:viewer` makes the same).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VIEWER_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/** Builds the viewer into outDir (default viewer/dist). */
export async function buildViewer(outDir = VIEWER_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** viewer/dist, built first if missing; `onBuild` is told before a build starts. */
export async function ensureViewer(onBuild?: () => void): Promise<string> {
  if (existsSync(`${VIEWER_DIST}index.html`)) return VIEWER_DIST;
  onBuild?.();
  return buildViewer();
}
