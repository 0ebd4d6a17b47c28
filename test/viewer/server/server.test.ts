/**
 * The `natrium view` server (viewer/server/server.ts) as plain HTTP: it binds 127.0.0.1, serves
 * its assets and the named files only, answers traversal (plain, encoded, double-encoded,
 * backslashes, absolute paths) with 404, a foreign Host with 403, and sends its CSP on every
 * answer. A stand-in build directory is enough (the real build is the browser test's).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, type ViewServer, startViewServer, suspiciousPath } from '../../../viewer/server/server.ts';

let dir = '';
let srv: ViewServer;

/** A raw GET (the path exactly as written: no client-side normalisation). */
function get(path: string, host?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method: 'GET', headers: { host: host ?? `127.0.0.1:${srv.port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'natrium-view-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>v</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'app.js'), 'export {};');
  writeFileSync(join(dir, 'capture.bin'), Uint8Array.of(1, 2, 3, 0));
  writeFileSync(join(dir, 'secret.txt'), 'not named');
  srv = await startViewServer({ distDir: join(dir, 'dist'), files: [join(dir, 'capture.bin')] });
});

afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('view server', () => {
  it('binds 127.0.0.1 on a free port', () => {
    const a = srv.server.address();
    expect(typeof a === 'object' && a !== null && a.address).toBe('127.0.0.1');
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/`);
    expect(srv.port).toBeGreaterThan(0);
  });

  it('serves the viewer, its assets, the file list and the named files, with the CSP', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>v</title>');
    expect(index.headers['content-security-policy']).toBe(CSP);
    expect(CSP).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CSP).not.toContain('unsafe-inline');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    const list = JSON.parse((await get('/files.json')).body) as { name: string; url: string }[];
    expect(list).toEqual([{ name: 'capture.bin', url: 'files/0/capture.bin' }]);
    // the page learns its mode from live.json: files here, so not live (and no 404 in its console)
    const live = await get('/live.json');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ live: false });
    const f = await get(`/${list[0]!.url}`);
    expect(f.status).toBe(200);
    expect(f.headers['content-type']).toBe('application/octet-stream');
    expect(f.headers['content-security-policy']).toBe(CSP);
  });

  it('answers traversal, absolute paths and unnamed files with 404', async () => {
    const bad = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2E%2E/%2e%2e/secret.txt',
      '/%252e%252e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/files/0/..%2f..%2fsecret.txt',
      `/${join(dir, 'secret.txt')}`,
      `//${join(dir, 'secret.txt')}`,
      '/files/1/secret.txt',
      '/secret.txt',
      '/files/0/other.bin',
      '/C:/Windows/win.ini',
      '/index.html%00.js',
    ];
    for (const p of bad) {
      const r = await get(p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('not named');
      expect(r.headers['content-security-policy']).toBe(CSP);
    }
    expect(suspiciousPath('/assets/app.js')).toBe(false);
    expect(suspiciousPath('/a/%2e%2e/b')).toBe(true);
    expect(suspiciousPath('/a/../b')).toBe(true);
    expect(suspiciousPath('/a/./b')).toBe(true);
    expect(suspiciousPath('/..')).toBe(true);
    expect(suspiciousPath('/files/0/run..2.bin')).toBe(false); // dots inside a name are no traversal
  });

  it('refuses a foreign Host header (DNS rebinding) and methods other than GET/HEAD', async () => {
    expect((await get('/', 'evil.example:80')).status).toBe(403);
    expect((await get('/', `localhost:${srv.port}`)).status).toBe(200);
    const post = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv.port, path: '/', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(post).toBe(405);
  });

  it('is not reachable on another interface', async () => {
    const { networkInterfaces } = await import('node:os');
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!other) {
      // no other interface on this machine: the bind address above is the whole check
      expect(srv.server.address()).toMatchObject({ address: '127.0.0.1' });
      return;
    }
    const err = await new Promise<string>((resolve) => {
      const req = request({ host: other.address, port: srv.port, path: '/', timeout: 2000 }, () => resolve('connected'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      req.on('timeout', () => {
        req.destroy();
        resolve('timeout');
      });
      req.end();
    });
    expect(err).not.toBe('connected');
  });
});
