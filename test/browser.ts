/**
 * What the browser tests share: headless Debian Chromium (driven by playwright-core), a module
 * bundled by Vite as the viewer bundles it, a throwaway page server on 127.0.0.1, and a page
 * whose module script leaves its outcome in `window.result`.
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with the shared flags (`env` for the browser's environment, e.g. TZ). */
export function launchChromium(env?: Record<string, string | undefined>): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...(env ? { env } : {}) });
}

/** One ES module of `entry` and everything it imports, as Vite bundles it for the viewer. */
export async function bundle(entry: string, fileName: string): Promise<string> {
  const built = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName } },
  });
  const outputs = Array.isArray(built) ? built : [built];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error(`vite produced no chunk for ${entry}`);
  return chunk.code;
}

/** A page server: URL path → [content type, body]; anything else is 404. */
export interface PageServer {
  base: string;
  close(): Promise<void>;
}

export async function servePages(files: Record<string, [string, string | Uint8Array]>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    res.writeHead(f ? 200 : 404, { 'content-type': f ? f[0] : 'text/plain' });
    res.end(f ? f[1] : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The HTML of a page that runs `/page.js` as a module. */
export const MODULE_PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>';

/** Wraps a page script's body so that a throw lands in `window.result.error`. */
export const resultScript = (imports: string, body: string): string =>
  `${imports}\ntry {\n${body}\n} catch (e) {\n  window.result = { error: String((e && e.stack) || e) };\n}\n`;

/** Opens `url`, waits for `window.result`, and returns it with the page's uncaught errors. */
export async function pageResult<T>(browser: Browser, url: string, timeout_ms = 60_000): Promise<{ result: T & { error?: string }; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, null, { timeout: timeout_ms });
    const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as T & { error?: string };
    return { result, errors };
  } finally {
    await page.close();
  }
}
