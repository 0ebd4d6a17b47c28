/**
 * natrium capture SCENARIO --out FILE [--duration S] [--link-faults K=P,...] [--baud B] [--seed N]
 *
 * Writes the capture the emulated BMS would stream while running SCENARIO, as fast as the
 * machine allows and with no port: device/node/capture-file.ts (what it runs and when it stops:
 * device/capture.ts). The file is raw wire bytes like one recorded by `natrium stream --record`,
 * for `natrium decode`, the analyser or `natrium replay`. Progress on a terminal; one summary line
 * on stderr at the end.
 */
import type { LinkFaultCounters } from '../protocol/linkfaults.ts';
import { captureToFile } from '../device/node/capture-file.ts';
import { UsageError, linkFaultsOption, num, parse } from './args.ts';
import { progressReporter } from './progress.ts';
import { loadScenario } from '../sim/node/load.ts';
import { MAX_RUN_STEPS } from '../sim/envelope.ts';

const USAGE = `usage: natrium capture SCENARIO --out FILE [--duration SECONDS] [--link-faults KEY=P,...] [--baud N] [--seed N]

Runs SCENARIO (a name from sim/scenarios/ or a JSON path) in the emulated BMS as fast as the
machine allows and writes its serial output (protocol/PROTOCOL.md) to FILE. It stops at
--duration (device seconds), else at the scenario's duration or 2 s after its steps are over;
a capture that would not fit in the space free for FILE stops after its first MB and says so.
--baud: pace the line to N bit/s (whole frames dropped when telemetry exceeds it; default: no
ceiling, nothing dropped). --link-faults: seeded faults on the line, e.g. dropFrame=0.01,
corruptByte=0.0005 (seeded by --seed, default the scenario's).`;

const BYTES_PER_MB = 1e6;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      duration: { type: 'string' },
      'link-faults': { type: 'string' },
      baud: { type: 'string' },
      seed: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one SCENARIO, got ${positionals.length}\n${USAGE}`);
  const out = values.out as string | undefined;
  if (out === undefined || out === '') throw new UsageError(`missing --out FILE\n${USAGE}`);
  const baudRate = values.baud === undefined ? undefined : num('baud', values.baud as string, 0, { integer: true, min: 1 });
  const seed = values.seed === undefined ? undefined : num('seed', values.seed as string, 0, { integer: true, min: 0 });
  const linkFaults = linkFaultsOption(values['link-faults'] as string | undefined);
  const name = positionals[0]!;
  const sc = loadScenario(name);
  // as natrium sim: a run of at most MAX_RUN_STEPS steps (a typo such as 1e12 s filled the disk)
  const duration_s = values.duration === undefined ? undefined : num('duration', values.duration as string, 0, { gt: 0, max: MAX_RUN_STEPS * sc.dt_s });

  const progress = progressReporter(duration_s ?? sc.duration_s, 'capturing', 'device time');
  const wall0 = performance.now();
  let s;
  try {
    s = captureToFile(out, sc, { duration_s, baudRate, linkFaults, seed, onProgress: progress.update });
  } finally {
    progress.stop();
  }
  const wall_s = (performance.now() - wall0) / 1000;
  process.stderr.write(
    `natrium capture: ${name} → ${out}: ${s.time_s.toFixed(1)} s device time, ${s.framesSent} frames, ` +
      `${(s.bytesSent / BYTES_PER_MB).toFixed(2)} MB, ${s.framesDropped} dropped (pacing), ${linkFaultsText(s.linkFaults)}, ` +
      `${wall_s.toFixed(2)} s wall\n`,
  );
  return 0;
}

function linkFaultsText(f: LinkFaultCounters | null): string {
  if (f === null) return 'no link faults';
  return (
    `link faults: ${f.framesDropped} frames lost, ${f.framesCorrupted} corrupted, ${f.framesDuplicated} duplicated, ` +
    `${f.framesDelayed} delayed, ${f.framesByteDamaged} hit by byte faults`
  );
}
