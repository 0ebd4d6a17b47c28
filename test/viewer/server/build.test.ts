/**
 * viewer/server/build.ts: a viewer built on first use lands whole (index.html and every file it
 * names), also when two builds race on a fresh checkout or an interrupted build left a partial
 * directory behind; no temporary directory is left.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureViewer } from '../../../viewer/server/build.ts';

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
});
