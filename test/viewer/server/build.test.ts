/**
 * viewer/server/build.ts: a viewer built on first use lands whole (index.html and every file it
 * names), also when two builds race on a fresh checkout or an interrupted build left a partial
 * directory behind; no temporary directory is left. A build made from other sources (an older
 * checkout) is built again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STAMP, ensureViewer, sourcesDigest } from '../../../viewer/server/build.ts';

const dir = mkdtempSync(join(tmpdir(), 'natrium-viewer-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every asset index.html refers to exists under `dist`. */
function complete(dist: string): boolean {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
  expect(refs.length).toBeGreaterThan(0);
  return refs.every((r) => existsSync(join(dist, r)));
}

describe('ensureViewer', () => {
  it('lands one complete viewer when two builds race, and leaves no temporary directory', async () => {
    const dist = join(dir, 'race', 'dist');
    mkdirSync(join(dir, 'race'));
    let builds = 0;
    const got = await Promise.all([ensureViewer(() => builds++, dist), ensureViewer(() => builds++, dist)]);
    expect(got).toEqual([dist, dist]);
    expect(builds).toBe(2);
    expect(complete(dist)).toBe(true);
    expect(readdirSync(join(dir, 'race'))).toEqual(['dist']);
    // built now: no second build
    await ensureViewer(() => builds++, dist);
    expect(builds).toBe(2);
  }, 120_000);

  it('replaces a partial directory that has no index.html (an interrupted build)', async () => {
    const dist = join(dir, 'partial', 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'assets', 'stale.js'), '// half a build');
    await ensureViewer(undefined, dist);
    expect(complete(dist)).toBe(true);
    expect(existsSync(join(dist, 'assets', 'stale.js'))).toBe(false);
    expect(readdirSync(join(dir, 'partial'))).toEqual(['dist']);
  }, 120_000);

  // a file where viewer/dist goes / replaced by the viewer (the rename into place once failed with ENOTDIR)
  it('replaces a file that stands where the viewer goes', async () => {
    const dist = join(dir, 'file', 'dist');
    mkdirSync(join(dir, 'file'));
    writeFileSync(dist, 'not a directory');
    await ensureViewer(undefined, dist);
    expect(complete(dist)).toBe(true);
    expect(readdirSync(join(dir, 'file'))).toEqual(['dist']);
  }, 120_000);

  // a whole viewer/dist built from other sources (its stamp says so, or it has none: an older
  // checkout, `npm run build:viewer`) / built again, then kept
  it('builds again a viewer made from other sources, and keeps one made from these', async () => {
    const dist = join(dir, 'stale', 'dist');
    mkdirSync(join(dir, 'stale'));
    let builds = 0;
    await ensureViewer(() => builds++, dist);
    expect(readFileSync(join(dist, STAMP), 'utf8').trim()).toBe(sourcesDigest());
    writeFileSync(join(dist, STAMP), 'the digest of an older checkout\n');
    writeFileSync(join(dist, 'stale.js'), '// from the older build');
    await ensureViewer(() => builds++, dist);
    expect(builds).toBe(2);
    expect(complete(dist)).toBe(true);
    expect(existsSync(join(dist, 'stale.js'))).toBe(false);
    rmSync(join(dist, STAMP));
    await ensureViewer(() => builds++, dist);
    expect(builds).toBe(3);
    await ensureViewer(() => builds++, dist);
    expect(builds).toBe(3);
    expect(readdirSync(join(dir, 'stale'))).toEqual(['dist']);
  }, 180_000);

  // a checkout's sources / one byte changed in a bundled core, a file added, node_modules touched
  // / the digest changes for the first two, not for the third
  it('digests the sources a build is made of', () => {
    const root = join(dir, 'root');
    for (const d of ['viewer/src', 'analyzer/rules', 'protocol', 'sim', 'viewer/node_modules/x']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'viewer/index.html'), '<html>');
    writeFileSync(join(root, 'analyzer/rules/a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'package-lock.json'), '{}');
    const d0 = sourcesDigest(root);
    expect(sourcesDigest(root)).toBe(d0);
    writeFileSync(join(root, 'analyzer/rules/a.ts'), 'export const a = 2;');
    const d1 = sourcesDigest(root);
    expect(d1).not.toBe(d0);
    writeFileSync(join(root, 'protocol/b.ts'), '');
    const d2 = sourcesDigest(root);
    expect(d2).not.toBe(d1);
    writeFileSync(join(root, 'viewer/node_modules/x/c.js'), 'x');
    expect(sourcesDigest(root)).toBe(d2);
  });
});
