/**
 * The Node edge of trace analysis: what a trace's meta line (sim/trace.ts) tells the analyser in
 * place of a device's INFO. A sim trace has no INFO, so `traceFallback` rebuilds one from the
 * meta: the chemistry preset by name, and the MOL/RSL/MSL limits the emulated BMS works to, i.e.
 * the `default` BMS configuration (sim/bms/config/default.json) resolved against that chemistry
 * and the pack's np, read as the BMS's diag thresholds (buildThresholds), then mapped to INFO's
 * TierLimits the way the serial emulator does (device/model.ts makeInfo; a test cross-checks
 * the two). A scenario with its own "bms" section may have run with other limits: the source
 * string says which configuration the limits came from.
 */
import { buildThresholds, tierLimitsOf } from '../../sim/bms/diag.ts';
import { readBmsConfig } from '../../sim/bms/config.ts';
import { type Chemistry, type ChemistryFile, PRESETS } from '../../sim/chemistry.ts';
import { Reader } from '../../sim/validate.ts';
import type { TraceMeta } from '../../sim/trace.ts';
import { type Info, InfoFlag, MessageType, type TierLimits } from '../../protocol/messages.ts';
import { loadChemistry } from '../../sim/node/load.ts';

/** AnalyzeOptions.fallback for a trace. */
export interface TraceFallback {
  info: Info | null;
  chemistry: ChemistryFile | null;
  source: string;
}

export interface TraceFallbackOptions {
  /**
   * A chemistry preset name or path to a chemistry JSON file, for a trace whose chemistry is not
   * a preset (its meta names the file's `name`, which cannot be looked up). Default: the meta's.
   */
  chemistry?: string;
}

/** The BMS configuration preset the limits come from. */
const BMS_CONFIG = 'default';

/**
 * INFO, chemistry and limits source for a trace: from its meta line, or nulls and source "none"
 * for a trace without one (written before the meta line existed). A chemistry that is not a
 * preset (and no `options.chemistry`) gives nulls and a source that says so. Throws InputError
 * when `options.chemistry` names a file that cannot be read.
 */
export function traceFallback(meta: TraceMeta | null, options: TraceFallbackOptions = {}): TraceFallback {
  if (meta === null) return { info: null, chemistry: null, source: 'none' };
  const name = options.chemistry ?? meta.chemistry;
  const what = `trace: scenario ${meta.scenario}, chemistry ${meta.chemistry}`;
  if (options.chemistry === undefined && !(PRESETS as readonly string[]).includes(name)) {
    return { info: null, chemistry: null, source: `${what} (not a preset: no limits)` };
  }
  const chem = loadChemistry(name);
  return {
    info: traceInfo(meta, chem),
    chemistry: chem.spec,
    source: `${what}, BMS config ${BMS_CONFIG}`,
  };
}

/** The INFO an emulated BMS with the default configuration would send for this pack. */
function traceInfo(meta: TraceMeta, chem: Chemistry): Info {
  const cfg = readBmsConfig(new Reader(`sim/bms/config/${BMS_CONFIG}.json`, BMS_CONFIG, 'bms'), chem);
  const th = buildThresholds(cfg, meta.np);
  const limits = (tier: number): TierLimits => tierLimitsOf(th, tier);
  return {
    type: MessageType.INFO,
    // a trace comes from no firmware: version 0.0.0, device id 0, flagged a simulator
    firmwareMajor: 0,
    firmwareMinor: 0,
    firmwarePatch: 0,
    deviceId: 0,
    flags: InfoFlag.SIMULATOR,
    ns: meta.ns,
    np: meta.np,
    // the trace's sensors are its series groups (analyzer/timeline/trace.ts)
    cellVoltageSensors: meta.ns,
    temperatureSensors: meta.ns,
    currentSensors: 1,
    cellCapacity_Ah: chem.capacity_Ah,
    chemistry: chem.name.replace(/[^\x20-\x7e]/g, '?').slice(0, 31),
    limits: { mol: limits(0), rsl: limits(1), msl: limits(2) },
  };
}
