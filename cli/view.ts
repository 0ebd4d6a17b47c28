/**
 * natrium view FILE... [--port N] [--host ADDR] [--open]
 * natrium view --mock SCENARIO | --port PATH  [--baud N] [--window S] [--speed X] [--http-port N] [--host ADDR] [--open]
 *
 * Serves the browser viewer (viewer/) and the named captures, sim traces and reports on
 * 127.0.0.1 (a free port unless --port), prints the URL, and with --open opens it in the
 * default browser. The page decodes and analyses the files itself (in a Web Worker); nothing
 * leaves the machine. --host binds another address: the viewer and the named files are then
 * reachable from the network, so a warning is printed. Runs until interrupted (Ctrl-C).
 * The viewer is built on first use if viewer/dist is missing (npm run build:viewer).
 *
 * Live: --mock SCENARIO runs the scenario's emulated BMS on the in-process mock serial port (at
 * --speed device seconds per wall second, default 1), --port PATH reads a real serial device
 * (a --port value that is not a number is a device path; the HTTP port is then --http-port);
 * the page shows the latest --window seconds (default 600), redrawn as telemetry arrives.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';
import { ensureViewer } from '../viewer/server/build.ts';
import { startViewServer } from '../viewer/server/server.ts';
import { type RunningSource, mockSource, portSource } from '../viewer/server/live.ts';
import { UsageError, num, parse } from './args.ts';

const USAGE = `usage: natrium view FILE... [--port N] [--host ADDR] [--open]
       natrium view --mock SCENARIO | --port DEVICE [--baud N] [--window SECONDS] [--speed X]
                    [--http-port N] [--host ADDR] [--open]

Serves the browser viewer and the named files (captures, sim traces, report JSON) on
127.0.0.1, prints the URL; --open opens it. The first capture or trace is plotted; a report
named with it supplies the findings (else the page analyses the log itself).
--host ADDR binds another address (the files become reachable from the network).
Live: --mock runs a scenario's emulated BMS, --port DEVICE (not a number) reads a serial port;
the page shows the latest --window seconds (default 600) of decoded telemetry.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      open: { type: 'boolean', default: false },
      mock: { type: 'string' },
      'http-port': { type: 'string' },
      baud: { type: 'string' },
      window: { type: 'string' },
      speed: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rawPort = values.port as string | undefined;
  const serial = rawPort !== undefined && !/^\d+$/.test(rawPort) ? rawPort : undefined;
  const liveWanted = serial !== undefined || values.mock !== undefined;
  if (serial !== undefined && values.mock !== undefined) throw new UsageError('give at most one of --mock and --port DEVICE');
  if (positionals.length === 0 && !liveWanted) throw new UsageError(`expected one or more FILEs (or --mock / --port DEVICE)\n${USAGE}`);
  if (positionals.length > 0 && liveWanted) throw new UsageError('live mode (--mock, --port DEVICE) takes no FILEs');
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
  const portName = serial === undefined && rawPort !== undefined ? 'port' : 'http-port';
  const port = num(portName, portName === 'port' ? rawPort : (values['http-port'] as string | undefined), 0, { integer: true, min: 0 });
  if (port > 65535) throw new UsageError(`--${portName}: must be <= 65535, got ${port}`);
  const baud = num('baud', values.baud as string | undefined, 115200, { integer: true, min: 1 });
  const window_s = num('window', values.window as string | undefined, 600, { gt: 0 });
  const speed = num('speed', values.speed as string | undefined, 1, { gt: 0 });
  const host = values.host as string;
  const dist = await ensureViewer(() => process.stderr.write('natrium view: building the viewer (viewer/dist)…\n'));
  let source: RunningSource | null = null;
  if (values.mock !== undefined) source = await mockSource(values.mock as string, baud, speed);
  else if (serial !== undefined) {
    source = await portSource(serial, baud).catch((e: Error) => {
      throw new InputError(serial, '(port)', e.message);
    });
  }
  const srv = await startViewServer({ distDir: dist, files: positionals, host, port, live: source ?? undefined, liveSettings: { window_s } }).catch(
    async (e: NodeJS.ErrnoException) => {
      await source?.close();
      throw new InputError(`${host}:${port}`, '(listen)', e.code ?? e.message);
    },
  );
  if (source) process.stderr.write(`natrium view: live from ${source.describe}, window ${window_s} s\n`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    const files = positionals.length;
    const what = files === 0 ? 'the viewer is' : files === 1 ? 'the viewer and its file are' : `the viewer and its ${files} files are`;
    process.stderr.write(`natrium view: WARNING: listening on ${host}, not 127.0.0.1: ${what} reachable from other machines\n`);
  }
  process.stdout.write(`natrium view: ${srv.url}\n`);
  if (values.open) openBrowser(srv.url);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void srv
        .close()
        .then(() => source?.close())
        .then(resolve);
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
