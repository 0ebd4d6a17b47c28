/**
 * The server of `natrium view`: the built viewer (viewer/dist) and the files named on the command
 * line, nothing else. Node only.
 *
 * Safety: binds 127.0.0.1 unless told otherwise (cli/view.ts warns); serves only the
 * assets found in the build directory when it starts and the named files, by exact path: any
 * other path, an encoded `..`, a backslash or an absolute path inside the path is a 404; a Host
 * header that is not this server's (DNS rebinding) is a 403 on a loopback bind; GET and HEAD
 * only; every answer carries a Content-Security-Policy (no inline script, no eval besides
 * WebAssembly compilation, connections only to this origin) and nosniff. The named files are
 * served as application/octet-stream: the page reads them as bytes and renders their text as
 * text.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, relative, sep } from 'node:path';

export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A live source for /live (Server-Sent Events): each client gets the chunks from then on. */
export interface LiveSource {
  subscribe(send: (chunk: Uint8Array) => void): () => void;
  /** What is streaming (shown on the page). */
  describe?: string;
}

/** Live settings the page reads from /live.json. */
export interface LiveSettings {
  /** Telemetry kept and shown, s of device time. */
  window_s: number;
}

/** The server sends what arrived every this many ms (one SSE event per batch). */
const LIVE_BATCH_MS = 100;

export interface ViewServerOptions {
  /** The built viewer (index.html and assets/). */
  distDir: string;
  /** Files to serve, in the order given. */
  files: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  live?: LiveSource;
  liveSettings?: LiveSettings;
}

export interface ViewServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Every file under dir, by URL path ("/assets/x.js"). */
function listAssets(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(`/${relative(dir, p).split(sep).join('/')}`, p);
    }
  };
  walk(dir);
  return out;
}

/** True for a path that must never be looked up: traversal, backslashes, encoded separators, absolute paths. */
export function suspiciousPath(rawUrl: string): boolean {
  const path = rawUrl.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return (
    !path.startsWith('/') ||
    path.startsWith('//') ||
    /%2e|%2f|%5c|%00/i.test(path) ||
    /(^|\/)\.\.?(\/|$)/.test(decoded) ||
    decoded.includes('\\') ||
    decoded.includes('\0') ||
    /^\/[a-zA-Z]:/.test(decoded)
  );
}

export async function startViewServer(o: ViewServerOptions): Promise<ViewServer> {
  const assets = listAssets(o.distDir);
  if (!assets.has('/index.html')) throw new Error(`${o.distDir}: no index.html (build the viewer: npm run build:viewer)`);
  const named = o.files.map((path, i) => ({ path, name: basename(path), url: `files/${i}/${encodeURIComponent(basename(path))}` }));
  const routes = new Map<string, { file: string; type: string }>();
  for (const [p, file] of assets) routes.set(p, { file, type: TYPES[extname(p)] ?? 'application/octet-stream' });
  routes.set('/', routes.get('/index.html')!);
  for (const f of named) routes.set(`/${f.url}`, { file: f.path, type: 'application/octet-stream' });
  const filesJson = JSON.stringify(named.map(({ name, url }) => ({ name, url })));
  const host = o.host ?? '127.0.0.1';
  let port = 0;

  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // cross-origin isolated: no other origin's windows or resources share the page's process
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    handle(req, res);
  });

  function fail(res: ServerResponse, code: number, text: string): void {
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method not allowed');
    if (isLoopback(host) && !allowedHost(req.headers.host, port)) return fail(res, 403, 'forbidden host');
    const raw = req.url ?? '';
    if (suspiciousPath(raw)) return fail(res, 404, 'not found');
    const path = decodeURIComponent(raw.split('?')[0]!);
    if (path === '/files.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(req.method === 'HEAD' ? undefined : filesJson);
    }
    if (path === '/live.json') {
      // answered in file mode too ({"live": false}): the page asks to learn its mode, and a 404
      // would be an error in every reviewer's console
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const body = o.live ? { live: true, window_s: o.liveSettings?.window_s ?? 600, describe: o.live.describe ?? 'live' } : { live: false };
      return void res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    }
    if (path === '/live' && o.live) return live(req, res, o.live);
    const route = routes.get(raw.split('?')[0]!) ?? routes.get(path);
    if (!route) return fail(res, 404, 'not found');
    let size: number;
    try {
      size = statSync(route.file).size;
    } catch {
      return fail(res, 404, 'not found');
    }
    res.writeHead(200, { 'Content-Type': route.type, 'Content-Length': size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(route.file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port,
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

function allowedHost(header: string | undefined, port: number): boolean {
  if (header === undefined) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(header.toLowerCase());
}

/** /live: Server-Sent Events, one `data:` line of base64 wire bytes per batch of LIVE_BATCH_MS. */
function live(req: IncomingMessage, res: ServerResponse, source: LiveSource): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
  res.write(': natrium live\n\n');
  let batch: Buffer[] = [];
  const stop = source.subscribe((chunk) => batch.push(Buffer.from(chunk)));
  const timer = setInterval(() => {
    if (batch.length === 0) return;
    const data = Buffer.concat(batch).toString('base64');
    batch = [];
    res.write(`data: ${data}\n\n`);
  }, LIVE_BATCH_MS);
  req.on('close', () => {
    clearInterval(timer);
    stop();
  });
}
