/**
 * The built viewer for `natrium view` and the tests: viewer/dist when it was built from the
 * sources as they are, else a build made now with Vite (a devDependency of this repository;
 * `npm run build:viewer` runs this module).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIEWER_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CONFIG = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What a build is made of, from the repository's root: the viewer's page and code, the cores it
 * bundles (analyzer, protocol, sim: its own imports) and the lock file (the versions of uPlot and
 * the rest).
 */
const SOURCES = ['viewer/index.html', 'viewer/vite.config.ts', 'viewer/config.json', 'viewer/src', 'analyzer', 'protocol', 'sim', 'package-lock.json'];
/** The file in a build that names the sources it was made from. */
export const STAMP = '.sources-sha256';

/**
 * A digest of the sources a build is made of (their paths and bytes): a viewer/dist with another
 * one was built from other sources (an older checkout), and is built again.
 */
export function sourcesDigest(root = ROOT): string {
  const h = createHash('sha256');
  const add = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      h.update(`${rel}\0`).update(readFileSync(abs)).update('\0');
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      add(`${rel}/${e.name}`);
    }
  };
  for (const s of SOURCES) add(s);
  return h.digest('hex');
}

/** Builds the viewer into outDir (default viewer/dist), with the digest of its sources. */
export async function buildViewer(outDir = VIEWER_DIST): Promise<string> {
  const digest = sourcesDigest();
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  writeFileSync(join(outDir, STAMP), `${digest}\n`);
  return outDir;
}

/** True when `dir` holds a whole build of these sources. */
function current(dir: string, digest: string): boolean {
  if (!existsSync(join(dir, 'index.html'))) return false;
  try {
    return readFileSync(join(dir, STAMP), 'utf8').trim() === digest;
  } catch {
    return false;
  }
}

/**
 * viewer/dist (or `dist`), built first if missing or made from other sources (see
 * sourcesDigest); `onBuild` is told before a build starts.
 *
 * The build goes to a sibling directory and is renamed into place whole, so viewer/dist/index.html
 * existing means a complete viewer: a build writes its files one by one (and empties its output
 * directory first), and two `natrium view` started at once on a fresh checkout would otherwise
 * serve each other's half-written or deleted files. When another build lands first, its viewer
 * is used and this one dropped.
 */
export async function ensureViewer(onBuild?: () => void, dist = VIEWER_DIST): Promise<string> {
  const final = dist.replace(/\/$/, '');
  const digest = sourcesDigest();
  if (current(final, digest)) return dist;
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
        // ENOTDIR: a file stands where the viewer goes
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
        if (current(final, digest)) return dist; // another build of these sources landed first
        if (attempt > 0) throw e;
        rmSync(final, { recursive: true, force: true }); // an older build, a partial one (interrupted), a file
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// `npm run build:viewer`: viewer/dist, stamped, built when its sources changed
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let built = false;
  await ensureViewer(() => (built = true));
  console.log(`${VIEWER_DIST} ${built ? 'built' : 'is up to date with its sources'}`);
}
