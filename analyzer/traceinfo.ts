/**
 * What a trace's meta line (sim/trace.ts) tells the analyser in place of a device's INFO. A sim
 * trace has no INFO, so `traceFallbackOf` rebuilds one from the meta: the chemistry, and the
 * MOL/RSL/MSL limits the emulated BMS works to, i.e. the `default` BMS configuration
 * (sim/bms/config/default.json, a preset bundled with the sim core) resolved against that
 * chemistry and the pack's np, read as the BMS's diag thresholds (buildThresholds), then mapped to
 * INFO's TierLimits the way the serial emulator does (device/model.ts makeInfo; a test
 * cross-checks the two). A scenario with its own "bms" section may have run with other limits: the
 * source string says which configuration the limits came from.
 *
 * Isomorphic: `natrium analyze` (analyzer/node/trace.ts, which also reads a chemistry from a
 * file) and the viewer give a trace the same INFO, so the same report.
 */
import { buildThresholds, tierLimitsOf } from '../sim/bms/diag.ts';
import { readBmsConfig } from '../sim/bms/config.ts';
import { type Chemistry, type ChemistryFile, PRESETS, chemistryPreset } from '../sim/chemistry.ts';
import { Reader } from '../sim/validate.ts';
import type { TraceMeta } from '../sim/trace.ts';
import { type Info, InfoFlag, MessageType, type TierLimits } from '../protocol/messages.ts';

/** AnalyzeOptions.fallback for a trace. */
export interface TraceFallback {
  info: Info | null;
  chemistry: ChemistryFile | null;
  source: string;
}

/** The BMS configuration preset the limits come from. */
const BMS_CONFIG = 'default';

/**
 * INFO, chemistry and limits source for a trace from its meta line and its chemistry (`chem`:
 * null when the meta's chemistry is not a preset and none was given): nulls and source "none"
 * for a trace without a meta line (written before the meta line existed), no INFO and a source
 * that says so without a chemistry.
 */
export function traceFallbackOf(meta: TraceMeta | null, chem: Chemistry | null): TraceFallback {
  if (meta === null) return { info: null, chemistry: null, source: 'none' };
  const what = `trace: scenario ${meta.scenario}, chemistry ${meta.chemistry}`;
  if (chem === null) return { info: null, chemistry: null, source: `${what} (not a preset: no limits)` };
  return { info: traceInfo(meta, chem), chemistry: chem.spec, source: `${what}, BMS config ${BMS_CONFIG}` };
}

/** The chemistry preset a trace's meta names, or null when it names no preset. */
export function tracePreset(meta: TraceMeta | null): Chemistry | null {
  return meta !== null && (PRESETS as readonly string[]).includes(meta.chemistry) ? chemistryPreset(meta.chemistry) : null;
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
    // the trace's sensors are its series groups (analyzer/timeline/trace.ts), when it has a column
    // per cell (--cells all); a min-max trace has none (quality.sampling then expects none)
    cellVoltageSensors: meta.cells === 'all' ? meta.ns : 0,
    temperatureSensors: meta.cells === 'all' ? meta.ns : 0,
    currentSensors: 1,
    cellCapacity_Ah: chem.capacity_Ah,
    chemistry: chem.name.replace(/[^\x20-\x7e]/g, '?').slice(0, 31),
    limits: { mol: limits(0), rsl: limits(1), msl: limits(2) },
  };
}
