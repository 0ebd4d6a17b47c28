/**
 * natrium resim CAPTURE [--scenario NAME|FILE] [--chemistry NAME|FILE] [--config BMS.json]
 *                       [--tolerance CHANNEL=abs,rel,time …] [--json | --md]
 *
 * Re-simulates a capture: the pack model and BMS emulator driven by its measured current, and
 * what the firmware would have done compared with what the capture shows
 * (analyzer/node/resim.ts). Exit 0 within tolerance, 1 beyond it, 2 bad input or arguments.
 */
import type { Tolerances } from '../analyzer/diff.ts';
import { loadInput } from '../analyzer/node/input.ts';
import { RESIM_CHANNELS, type ResimReport, resimulate } from '../analyzer/node/resim.ts';
import { UsageError, parse } from './args.ts';
import { diffText } from '../analyzer/report/diff.ts';
import { checkToleranceChannels, parseTolerances } from './diff.ts';
import { loadScenario } from '../sim/node/load.ts';

const USAGE = `usage: natrium resim CAPTURE [--scenario NAME|FILE] [--chemistry NAME|FILE] [--config BMS.json]
                     [--tolerance CHANNEL=abs,rel,time …] [--json | --md]

Drives the pack model and the BMS emulator with CAPTURE's measured pack current (held over each
sim step, charge positive), starting from its first SOC and temperature, with the host's
NORMAL/CHARGE requests read off its states, and compares what the firmware would have done
(${RESIM_CHANNELS.join(', ')}) with what the capture shows. Pack, ambient (a capture has no
ambient channel), seed and BMS configuration come from --scenario (default: default); --chemistry
and --config (a BMS preset or .json file) replace the scenario's. Default tolerances:
analyzer/node/resim-tolerances.json; --tolerance as in natrium diff overrides them.
Exit code: 0 within tolerance, 1 beyond, 2 bad input.`;

export function resimText(r: ResimReport, md: boolean): string {
  const i = r.inputs;
  const lines = [
    `resim of ${r.capture} against scenario ${r.scenario} (${r.chemistry}, BMS configuration ${r.bms_config})`,
    `current: ${i.current}; ${i.steps} steps, ${i.duration_s} s`,
    `ambient: ${i.ambient}`,
    `start: SOC ${(i.start.soc * 100).toFixed(2)} %, ${i.start.temperature_C.toFixed(2)} °C (from the ${i.start.from === 'truth' ? 'simulator truth' : 'BMS estimate and sensors'})`,
    `host requests (from the capture's states): ${i.host_requests.map((h) => `${h.request} at ${h.at_s} s`).join(', ') || 'none'}`,
  ];
  const head = md ? `# natrium resim\n\n${lines.map((l) => `- ${l}`).join('\n')}\n` : `${lines.join('\n')}\n`;
  return head + diffText(r.diff, md).replace(/^# natrium diff\n\n/, '');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      scenario: { type: 'string', default: 'default' },
      chemistry: { type: 'string' },
      config: { type: 'string' },
      tolerance: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      md: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one capture, got ${positionals.length}\n${USAGE}`);
  if (values.json && values.md) throw new UsageError('give at most one of --json and --md');
  const tolerances: Tolerances = parseTolerances(values.tolerance as string[]);
  checkToleranceChannels(tolerances, RESIM_CHANNELS, 'what resim compares');
  const path = positionals[0]!;
  const sc = loadScenario(values.scenario as string);
  const report = resimulate(loadInput(path).timeline, sc, {
    chemistry: values.chemistry as string | undefined,
    config: values.config as string | undefined,
    tolerances,
    names: { capture: path, scenario: values.scenario as string },
  });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(resimText(report, values.md === true));
  return report.exit_code;
}
