/**
 * The built viewer for `natrium view` and the tests: viewer/dist when it is there, else a build
 * made now with Vite (a devDependency of this repository; `npm run build:viewer` makes the same).
 */
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VIEWER_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/** Builds the viewer into outDir (default viewer/dist). */
export async function buildViewer(outDir = VIEWER_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/**
 * viewer/dist (or `dist`), built first if missing; `onBuild` is told before a build starts.
 *
 * The build goes to a sibling directory and is renamed into place whole, so viewer/dist/index.html
 * existing means a complete viewer: a build writes its files one by one (and empties its output
 * directory first), and two `natrium view` started at once on a fresh checkout would otherwise
 * serve each other's half-written or deleted files. When another build lands first, its viewer
 * is used and this one dropped.
 */
export async function ensureViewer(onBuild?: () => void, dist = VIEWER_DIST): Promise<string> {
  const final = dist.replace(/\/$/, '');
  const index = `${final}/index.html`;
  if (existsSync(index)) return dist;
  onBuild?.();
  const tmp = mkdtempSync(`${final}.building-`);
  try {
    await buildViewer(tmp);
    for (let attempt = 0; ; attempt++) {
      try {
        renameSync(tmp, final);
        return dist;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        if (existsSync(index)) return dist; // another build landed first
        if (attempt > 0) throw e;
        rmSync(final, { recursive: true, force: true }); // a partial viewer/dist (an older, interrupted build)
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
