/**
 * natrium stream --port PATH [--baud N] [--record cap.bin] [--json] [--duration S]
 *                [--reset-faults] [--rate TYPE=HZ ...] [--state STANDBY|NORMAL|CHARGE] [--keepalive S]
 *                [--analyze [--profile NAME|FILE] [--fail-on SEVERITY] [--report-json FILE] [--report-md FILE]]
 *
 * The host side for test rigs: opens the port, decodes live, records the raw bytes as they
 * arrive (a capture, PROTOCOL.md section 14; appended and flushed chunk by chunk, so a killed
 * process loses nothing already received), and shows one status line: on a TTY it is rewritten
 * in place (state, pack V, I, SOC, min/max cell V, max T, link errors); otherwise it is printed
 * once a second. --json prints every message as NDJSON instead, then the counters. Runs until
 * Ctrl-C or --duration (wall seconds).
 *
 * A rig sets the BMS up as it starts: --reset-faults, then each --rate, then --state are sent
 * in that order, each waiting for its ACK or NACK (retried on silence, HostSession); every
 * answer is reported on stderr, and a command refused or unanswered makes the exit code 1
 * while the stream goes on. --keepalive S then sends CMD_REQUEST_INFO every S seconds, for a
 * device whose host watchdog (PROTOCOL.md section 11.3) would otherwise raise HOST_COMM_LOSS once
 * the set-up is over; the first keepalive refused or unanswered is reported, the others counted.
 *
 * --analyze runs the analyser's checks on the stream as it arrives (analyzer/live.ts): each
 * finding at warning or above goes to stderr when it first appears, and when the stream ends the
 * report is printed (and written with --report-json / --report-md); it is the report `natrium
 * analyze` gives for the capture --record wrote. The exit code is then also 1 when a finding is
 * at or above --fail-on.
 */
import { statSync } from 'node:fs';
import type { SerialPortStream } from '@serialport/stream';
import { HostSession } from '../protocol/host.ts';
import { BMS_STATE_NAMES, BmsState, MESSAGE_TYPE_NAMES, MessageType, NackReason, type Command, type Decoded, type PackStatus } from '../protocol/messages.ts';
import { CaptureWriter } from '../protocol/node/capture-writer.ts';
import type { BindingInterface } from '../protocol/node/mock-binding.ts';
import { PORT_CLOSED, closePort, openPort, openSerialPort } from '../protocol/node/serial.ts';
import { PERIODIC_TYPES } from '../protocol/session.ts';
import { SEVERITIES, type Severity } from '../analyzer/findings.ts';
import { LiveAnalyzer } from '../analyzer/live.ts';
import { chemistryByName, loadProfile } from '../analyzer/node/files.ts';
import { liveLines, reportText } from '../analyzer/report/text.ts';
import { writeReports } from './analyze.ts';
import { InputError } from '../sim/errors.ts';
import { UsageError, num, parse } from './args.ts';
import { LineWriter, countersLine, countersText, jsonLine } from './format.ts';

/** The message types --rate takes, by name. */
const RATE_TYPES = PERIODIC_TYPES.map((t) => MESSAGE_TYPE_NAMES.get(t)).join(', ');

const USAGE = `usage: natrium stream --port PATH [--baud N] [--record CAPTURE [--append|--force]] [--json] [--duration SECONDS]
                     [--reset-faults] [--rate TYPE=HZ]... [--state STANDBY|NORMAL|CHARGE] [--keepalive SECONDS]
                     [--analyze [--profile NAME|FILE] [--fail-on LEVEL] [--report-json FILE] [--report-md FILE]]

Live decode of a BMS on a serial port: a status line (rewritten in place on a terminal, once a
second otherwise), or every message as NDJSON with --json. --record writes the raw bytes to a
capture file as they arrive; a capture that is already there is refused unless --append (add to
it) or --force (replace it). Ctrl-C or --duration (wall seconds) stops.

At start, in this order: --reset-faults clears latched faults; --rate sets a periodic message's
rate (TYPE one of ${RATE_TYPES}; HZ 0-100,
0 = off; repeatable); --state requests a state. Each answer goes to stderr; a NACK or no
answer makes the exit code 1. --keepalive SECONDS: then a CMD_REQUEST_INFO every SECONDS (wall
time), for a BMS with a host watchdog (PROTOCOL.md section 11.3), which raises HOST_COMM_LOSS when
its host is silent: use less than its shortest timeout (natrium's emulate --host-watchdog: 1 s).
A keepalive refused or unanswered makes the exit code 1 too (the first is reported).

--analyze checks the stream as it arrives (findings on stderr as they appear) and prints the
report at the end (analyzer/REPORT.md); --profile, --fail-on, --report-json FILE, --report-md FILE
as for natrium analyze.`;

const SETTABLE_STATES = ['STANDBY', 'NORMAL', 'CHARGE'] as const;

/** The start-up commands of the options, in the order they are sent; UsageError on a bad value. */
export function startCommands(resetFaults: boolean, rates: readonly string[], state: string | undefined): Command[] {
  const cmds: Command[] = [];
  if (resetFaults) cmds.push({ type: MessageType.CMD_RESET_FAULTS });
  for (const r of rates) {
    const m = /^([A-Z_]+)=(\d+)$/.exec(r);
    const type = m ? PERIODIC_TYPES.find((t) => MESSAGE_TYPE_NAMES.get(t) === m[1]) : undefined;
    if (m === null || type === undefined) {
      throw new UsageError(`--rate: expected TYPE=HZ with TYPE one of ${RATE_TYPES}, got "${r}"`);
    }
    const hz = Number(m[2]);
    if (hz > 100) throw new UsageError(`--rate: HZ must be 0-100, got ${hz} in "${r}"`);
    cmds.push({ type: MessageType.CMD_SET_RATE, messageType: type, rate_Hz: hz });
  }
  if (state !== undefined) {
    if (!(SETTABLE_STATES as readonly string[]).includes(state)) throw new UsageError(`--state: expected one of ${SETTABLE_STATES.join(', ')}, got "${state}"`);
    cmds.push({ type: MessageType.CMD_SET_STATE, state: BmsState[state as (typeof SETTABLE_STATES)[number]] });
  }
  return cmds;
}

/**
 * The --record capture: a file that is already there (and not empty) is refused unless the user
 * says --append or --force; a file that cannot be opened is bad input naming it.
 */
/** Refuses to record onto an existing capture without --append or --force (before the port is opened). */
function checkRecord(path: string, append: boolean, force: boolean): void {
  if (append && force) throw new UsageError('give one of --append and --force');
  let size = 0;
  try {
    const st = statSync(path);
    size = st.isFile() ? st.size : 0;
  } catch {
    // not there yet
  }
  if (size > 0 && !append && !force) {
    throw new UsageError(`--record ${path}: a capture is already there (${size} bytes): --append to add to it, --force to replace it`);
  }
}

/** The capture file, made once the port is open (a failed open leaves none behind). */
function openRecord(path: string, force: boolean): CaptureWriter {
  try {
    return new CaptureWriter(path, { truncate: force });
  } catch (e) {
    throw new InputError(path, '(output)', `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** "CMD_SET_RATE PACK_STATUS=20" and the like, for the answer lines. */
function commandText(c: Command): string {
  const name = MESSAGE_TYPE_NAMES.get(c.type) ?? String(c.type);
  if (c.type === MessageType.CMD_SET_RATE) return `${name} ${MESSAGE_TYPE_NAMES.get(c.messageType)}=${c.rate_Hz}`;
  if (c.type === MessageType.CMD_SET_STATE) return `${name} ${BMS_STATE_NAMES[c.state]}`;
  return name;
}

const NACK_NAMES = new Map(Object.entries(NackReason).map(([k, v]) => [v as number, k]));

export interface StreamMainOptions {
  /** Open the port through this binding instead of serialport's (e.g. DeviceMockBinding). */
  binding?: BindingInterface;
  /** Stops when aborted. */
  signal?: AbortSignal;
  /** Called with the open port and the host session. */
  onReady?: (port: SerialPortStream, host: HostSession) => void;
  /** Where output goes (default process.stdout / stderr). */
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Rewrite the status line in place (default: stdout is a TTY). */
  tty?: boolean;
}

/** The one-line status: state, V, I, SOC, min/max cell, max T, link errors. */
export function statusLine(s: Decoded<PackStatus> | null, linkErrors: number, frames: number): string {
  const f = (x: number, d: number): string => (Number.isNaN(x) ? 'NA' : x.toFixed(d));
  if (s === null) return `waiting for PACK_STATUS… frames ${frames}, link errors ${linkErrors}`;
  return (
    `${(BMS_STATE_NAMES[s.state] ?? String(s.state)).padEnd(9)} ${f(s.packVoltage_V, 2)} V  ${f(s.current_A, 2)} A  ` +
    `SOC ${f(s.soc * 100, 1)} %  cell ${f(s.cellVoltageMin_V, 4)}–${f(s.cellVoltageMax_V, 4)} V  ` +
    `Tmax ${f(s.temperatureMax_C, 1)} °C  link errors ${linkErrors}  (t ${(s.t_ms / 1000).toFixed(1)} s, frames ${frames})`
  );
}

export async function main(argv: string[], opts: StreamMainOptions = {}): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      port: { type: 'string' },
      baud: { type: 'string' },
      record: { type: 'string' },
      append: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'reset-faults': { type: 'boolean', default: false },
      rate: { type: 'string', multiple: true, default: [] },
      state: { type: 'string' },
      keepalive: { type: 'string' },
      analyze: { type: 'boolean', default: false },
      profile: { type: 'string' },
      'fail-on': { type: 'string' },
      'report-json': { type: 'string' },
      'report-md': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const path = values.port as string | undefined;
  if (path === undefined) throw new UsageError(`missing --port PATH\n${USAGE}`);
  const baudRate = num('baud', values.baud as string | undefined, 115200, { integer: true, min: 1 });
  const duration_s = values.duration === undefined ? Infinity : num('duration', values.duration as string, 0, { gt: 0 });
  const json = values.json as boolean;
  const commands = startCommands(values['reset-faults'] as boolean, values.rate as string[], values.state as string | undefined);
  // bounds: faster than 0.05 s only floods the line (the INFO each keepalive asks for is ~130 bytes
  // on the wire), and an hour keeps no watchdog fed
  const keepalive_s = num('keepalive', values.keepalive as string | undefined, 0, { min: 0.05, max: 3600 });
  const stdout = opts.stdout ?? ((s: string) => void process.stdout.write(s));
  const stderr = opts.stderr ?? ((s: string) => void process.stderr.write(s));
  const tty = opts.tty ?? process.stdout.isTTY === true;

  const analyzeOn = values.analyze as boolean;
  for (const k of ['profile', 'fail-on', 'report-json', 'report-md'] as const) {
    if (values[k] !== undefined && !analyzeOn) throw new UsageError(`--${k} goes with --analyze`);
  }
  const failOn = (values['fail-on'] as string | undefined) ?? 'error';
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on: expected info, warning or error, got "${failOn}"`);
  const live = analyzeOn
    ? new LiveAnalyzer(
        { name: (values.record as string | undefined) ?? path, kind: 'live', bytes: 0 },
        { profile: loadProfile((values.profile as string | undefined) ?? 'default'), failOn: failOn as Severity, chemistry: chemistryByName },
      )
    : null;

  if (values.record !== undefined) checkRecord(values.record as string, values.append as boolean, values.force as boolean);
  let port: SerialPortStream;
  try {
    port = opts.binding ? await openPort(opts.binding, path, baudRate) : await openSerialPort(path, baudRate);
  } catch (e) {
    throw new UsageError(`--port ${path}: ${(e as Error).message.replace(/^Error: /, '')}`);
  }
  // the capture file is made once the port is open: a failed open leaves none behind
  let record: CaptureWriter | null = null;
  try {
    record = values.record === undefined ? null : openRecord(values.record as string, values.force as boolean);
  } catch (e) {
    await closePort(port);
    throw e;
  }
  const out = new LineWriter(stdout);
  const host = new HostSession((b) => port.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), {
    onMessage: json ? (m) => out.line(jsonLine(m)) : undefined,
  });
  port.on('data', (b: Buffer) => {
    record?.write(b);
    host.receive(b);
    live?.push(b);
  });
  opts.onReady?.(port, host);

  const status = (): string => statusLine(host.status, host.linkErrors(), host.counters.frames);
  let lastShown = '';
  const show = (): void => {
    if (live) for (const l of liveLines(live.poll())) note(`natrium stream: ${l}\n`);
    if (json) {
      out.flush();
      return;
    }
    const line = status();
    if (tty) {
      if (line !== lastShown) stdout(`\r\x1b[2K${line}`);
    } else {
      stdout(`${line}\n`);
    }
    lastShown = line;
  };
  /** A line on stderr; on a terminal the status line is cleared first and redrawn later. */
  const note = (line: string): void => {
    if (tty && !json && lastShown !== '') {
      stdout('\r\x1b[2K');
      lastShown = '';
    }
    stderr(line);
  };
  // the rig's set-up, one command after the other, while the stream runs; then the keepalives
  let refused = 0;
  let stopped = false;
  const keep = { timer: null as ReturnType<typeof setInterval> | null, sent: 0, failed: 0, pending: null as Promise<void> | null };
  const keepaliveOnce = (): void => {
    if (stopped || keep.pending !== null) return; // one at a time: its retries may outlast the period
    keep.sent++;
    keep.pending = host
      .command({ type: MessageType.CMD_REQUEST_INFO })
      .then(
        (a) => (a.type === MessageType.ACK ? null : `NACK ${NACK_NAMES.get(a.reason) ?? a.reason}`),
        (e: Error) => e.message,
      )
      .then((failure) => {
        keep.pending = null;
        if (failure === null) return;
        if (keep.failed++ === 0) note(`natrium stream: keepalive CMD_REQUEST_INFO → ${failure} (further failures are counted)\n`);
      });
  };
  const setup = (async () => {
    for (const c of commands) {
      let answer: string;
      try {
        const a = await host.command(c);
        answer = a.type === MessageType.ACK ? 'ACK' : `NACK ${NACK_NAMES.get(a.reason) ?? a.reason}`;
        if (a.type !== MessageType.ACK) refused++;
      } catch (e) {
        answer = (e as Error).message;
        refused++;
      }
      note(`natrium stream: ${commandText(c)} → ${answer}\n`);
    }
    if (keepalive_s > 0 && !stopped) {
      keepaliveOnce(); // at once: the watchdog may be counting since before the stream began
      keep.timer = setInterval(keepaliveOnce, keepalive_s * 1000);
    }
  })();

  // the port failing or closing under us (the device gone) ends the run with exit code 1
  let portFailure: string | null = null;
  await new Promise<void>((resolve) => {
    const timer = setInterval(show, tty ? 250 : 1000);
    const deadline = Number.isFinite(duration_s) ? setTimeout(stop, duration_s * 1000) : null;
    const onClose = (): void => {
      portFailure ??= PORT_CLOSED;
      stop();
    };
    port.on('error', (e: Error) => {
      portFailure ??= e.message;
      stop();
    });
    function stop(): void {
      stopped = true;
      if (keep.timer !== null) clearInterval(keep.timer);
      clearInterval(timer);
      if (deadline !== null) clearTimeout(deadline);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      port.off('close', onClose);
      resolve();
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    port.once('close', onClose);
    opts.signal?.addEventListener('abort', stop, { once: true });
  });
  await setup; // answers still due arrive before the port closes; unanswered commands time out
  await keep.pending;
  await closePort(port).catch(() => undefined);
  host.decoder.finish();
  record?.close();
  if (json) {
    out.line(countersLine(host.counters));
    out.flush();
  } else {
    if (tty) stdout(`\r\x1b[2K${status()}\n`);
    stderr(`natrium stream: ${countersText(host.counters)}${record ? `; recorded ${record.bytesWritten} bytes to ${record.path}` : ''}\n`);
  }
  if (keep.failed > 0) stderr(`natrium stream: keepalive: ${keep.failed} of ${keep.sent} refused or unanswered\n`);
  let analysisFailed = false;
  if (live) {
    const { report, fresh } = live.finish();
    for (const l of liveLines(fresh)) stderr(`natrium stream: ${l}\n`);
    writeReports(report, { json: values['report-json'] as string | undefined, md: values['report-md'] as string | undefined });
    stdout(`${reportText(report)}\n`);
    analysisFailed = report.result.exit_code !== 0;
  }
  if (portFailure !== null) {
    stderr(`natrium stream: ${path}: ${portFailure}\n`);
    return 1;
  }
  return refused > 0 || keep.failed > 0 || analysisFailed ? 1 : 0;
}
