/**
 * natrium demo [--scenario S] [--out DIR] [--duration S] [--baud N] [--profile NAME|FILE] [--view]
 *
 * The whole chain on one machine, as `npm start` runs it: the scenario's emulated BMS
 * (device/) speaks the protocol over the in-process mock serial port (@serialport/binding-mock),
 * the host side opens that port like a real one, records the raw bytes to DIR/capture.bin, decodes
 * them live and runs the analyser's checks as the data arrive (findings at warning or above are
 * printed as they appear), with a progress bar; at the end the report goes to the terminal and to
 * DIR/report.json and DIR/report.md. Device time runs as fast as the machine allows (speed 'max':
 * the device waits whenever the host has unread bytes, so nothing is lost for being slow).
 * It ends with the `natrium view` command for what it wrote; --view runs it (the browser viewer
 * with the capture and the report, opened in the default browser) until interrupted.
 * Exit code as `natrium analyze`: 0 clean, 1 a finding at or above error.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { LiveAnalyzer } from '../analyzer/live.ts';
import { chemistryByName, loadProfile } from '../analyzer/node/files.ts';
import { liveLines, reportText } from '../analyzer/report/text.ts';
import { fmtTime } from '../analyzer/report/format.ts';
import type { Finding } from '../analyzer/findings.ts';
import { END_TAIL_MS } from '../device/capture.ts';
import { startEmulator } from '../device/node/emulator.ts';
import { CaptureWriter } from '../protocol/node/capture-writer.ts';
import { DeviceMockBinding } from '../protocol/node/mock-port.ts';
import { closePort, openPort } from '../protocol/node/serial.ts';
import { InputError } from '../sim/errors.ts';
import { makeOutputDir } from '../analyzer/node/output.ts';
import { UsageError, num, parse } from './args.ts';
import { writeReports } from './analyze.ts';
import { loadScenario } from '../sim/node/load.ts';

const USAGE = `usage: natrium demo [--scenario S] [--out DIR] [--duration SECONDS] [--baud N] [--profile NAME|FILE] [--view]

Runs the chain end to end: the scenario's emulated BMS (default: default) over the in-process
mock serial port, the host decoding live, the analyser checking as data arrive; then the report.
Writes DIR/capture.bin, DIR/report.json and DIR/report.md (default DIR: ./out), and prints the
natrium view command that shows them in the browser; --view runs it.`;

const MOCK_PATH = '/dev/natrium-demo0';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      scenario: { type: 'string', default: 'default' },
      out: { type: 'string', default: 'out' },
      duration: { type: 'string' },
      baud: { type: 'string' },
      profile: { type: 'string', default: 'default' },
      view: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  const duration_s = values.duration === undefined ? undefined : num('duration', values.duration as string, 0, { gt: 0 });
  const baudRate = num('baud', values.baud as string | undefined, 115200, { integer: true, min: 1 });
  const sc = loadScenario(values.scenario as string);
  const profile = loadProfile(values.profile as string);
  const dir = values.out as string;
  makeOutputDir(dir);
  const capturePath = join(dir, 'capture.bin');
  let writer: CaptureWriter;
  try {
    rmSync(capturePath, { force: true });
    writer = new CaptureWriter(capturePath, { truncate: true });
  } catch (e) {
    throw new InputError(capturePath, '(output)', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }

  const wall0 = performance.now();
  const total_s = duration_s ?? estimateDuration(sc);
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar({
        stream: process.stderr,
        format: ' demo [{bar}] {percentage}% | {dev} of device time | {mb} MB | {findings} findings',
        hideCursor: true,
        clearOnComplete: true,
      })
    : null;
  bar?.start(100, 0, { dev: '0:00.0', mb: '0.0', findings: 0 });
  process.stderr.write(`natrium demo: ${sc.name} (${sc.pack.ns}s${sc.pack.np}p ${sc.chemistry.name}) on mock port ${MOCK_PATH}, ${baudRate} baud, speed max\n`);

  let endedAt_ms = -1;
  let stopping = false;
  const emu = await startEmulator({
    port: null,
    mockPath: MOCK_PATH,
    scenario: sc,
    speed: 'max',
    baudRate,
    duration_s,
    onAdvance: (t_ms) => {
      if (emu_ === null) return;
      if ((emu_.model.stepsOver || emu_.model.ended) && endedAt_ms < 0) endedAt_ms = t_ms;
      if (endedAt_ms >= 0 && t_ms >= endedAt_ms + END_TAIL_MS && !stopping) {
        stopping = true;
        void emu_.stop();
      }
    },
  });
  let emu_: typeof emu | null = emu;
  const live = new LiveAnalyzer({ name: capturePath, kind: 'live', bytes: 0 }, { profile, chemistry: chemistryByName });
  let shown = 0;
  const say = (fs: Finding[]): void => {
    for (const f of fs) if (f.severity !== 'info') shown++;
    for (const l of liveLines(fs, { align: true })) {
      if (bar) process.stderr.write('\r\x1b[2K');
      process.stderr.write(`  ${l}\n`);
    }
  };
  const host = await openPort(DeviceMockBinding, emu.path, baudRate);
  let lastPoll = 0;
  host.on('data', (chunk: Uint8Array) => {
    writer.write(chunk);
    live.push(chunk);
    const now = performance.now();
    if (now - lastPoll > 200) {
      lastPoll = now;
      say(live.poll());
      const t = live.builder.timeline.duration_s;
      bar?.update(Math.min(99, Math.floor((100 * t) / total_s)), { dev: fmtTime(t), mb: (writer.bytesWritten / 1e6).toFixed(1), findings: shown });
    }
  });
  await emu.done;
  // the device has stopped: let the host read what is still in the mock, then close
  while (emu.end instanceof Object && (emu.end as { backlogBytes?: number }).backlogBytes) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  await closePort(host);
  await emu.stop();
  emu_ = null;
  writer.close();
  const { report, fresh } = live.finish();
  bar?.update(100);
  bar?.stop();
  say(fresh);
  const wall_s = (performance.now() - wall0) / 1000;
  const jsonPath = join(dir, 'report.json');
  const mdPath = join(dir, 'report.md');
  writeReports(report, { json: jsonPath, md: mdPath });
  process.stdout.write(`${reportText(report, { color: process.stdout.isTTY === true })}\n\n`);
  process.stdout.write(
    `demo       ${fmtTime(report.input.duration_s)} of device time in ${wall_s.toFixed(1)} s wall; ` +
      `${(writer.bytesWritten / 1e6).toFixed(1)} MB captured, ${live.runs} live re-analyses\n` +
      `wrote      ${capturePath}, ${jsonPath}, ${mdPath}\n` +
      `again      natrium analyze ${capturePath}\n` +
      `view       natrium view ${capturePath} ${jsonPath}\n`,
  );
  if (values.view) await (await import('./view.ts')).main([capturePath, jsonPath, '--open']);
  return report.result.exit_code;
}

/** Expected device time of a scenario for the progress bar (its duration, or a guess from its steps). */
function estimateDuration(sc: { duration_s: number | null }): number {
  return sc.duration_s ?? 11 * 3600;
}
