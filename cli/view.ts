/**
 * natrium view FILE... [--port N] [--host ADDR] [--open]
 *
 * Serves the browser viewer (viewer/) and the named captures, sim traces and reports on
 * 127.0.0.1 (a free port unless --port), prints the URL, and with --open opens it in the
 * default browser. The page decodes and analyses the files itself (in a Web Worker); nothing
 * leaves the machine. --host binds another address: the viewer and the named files are then
 * reachable from the network, so a warning is printed. Runs until interrupted (Ctrl-C).
 * The viewer is built on first use if viewer/dist is missing (npm run build:viewer).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';
import { ensureViewer } from '../viewer/server/build.ts';
import { startViewServer } from '../viewer/server/server.ts';
import { UsageError, num, parse } from './args.ts';

const USAGE = `usage: natrium view FILE... [--port N] [--host ADDR] [--open]

Serves the browser viewer and the named files (captures, sim traces, report JSON) on
127.0.0.1, prints the URL; --open opens it. The first capture or trace is plotted; a report
named with it supplies the findings (else the page analyses the log itself).
--host ADDR binds another address (the files become reachable from the network).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, open: { type: 'boolean', default: false } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`expected one or more FILEs\n${USAGE}`);
  for (const f of positionals) {
    let st;
    try {
      st = statSync(f);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(f, '(file)', code === 'ENOENT' ? 'no such file' : `cannot read (${code})`);
    }
    if (!st.isFile()) throw new InputError(f, '(file)', 'not a regular file');
  }
  const port = num('port', values.port as string | undefined, 0, { integer: true, min: 0 });
  if (port > 65535) throw new UsageError(`--port: must be <= 65535, got ${port}`);
  const host = values.host as string;
  const dist = await ensureViewer(() => process.stderr.write('natrium view: building the viewer (viewer/dist)…\n'));
  const srv = await startViewServer({ distDir: dist, files: positionals, host, port }).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${host}:${port}`, '(listen)', e.code ?? e.message);
  });
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    process.stderr.write(`natrium view: WARNING: listening on ${host}, not 127.0.0.1: the viewer and ${positionals.length} file(s) are reachable from other machines\n`);
  }
  process.stdout.write(`natrium view: ${srv.url}\n`);
  if (values.open) openBrowser(srv.url);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void srv.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Opens a URL in the desktop's browser (xdg-open, open, start); failures are reported, not fatal. */
export function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`natrium view: could not start ${cmd}; open ${url} yourself\n`));
  child.unref();
}
