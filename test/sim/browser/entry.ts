/**
 * The sim core as a browser bundles it (chemistry.browser.test.ts): a chemistry built from its
 * JSON text, the shipped presets (JSON modules), and a scenario with its BMS section validated
 * into typed objects, all without file access. Node runs this very module too; the result is
 * plain JSON so both sides compare exactly.
 */
import { OcvModel } from '../../../analyzer/rules/soc/internal/ocv.ts';
import { PRESETS, capacityFactor, chemistryPreset, parseChemistry } from '../../../sim/chemistry.ts';
import { cellParams } from '../../../sim/cell.ts';
import { readScenario } from '../../../sim/scenario.ts';

/** SOC points and temperatures the OCV is evaluated at. */
const SOCS = Array.from({ length: 21 }, (_, i) => i / 20);
const TEMPS_C = [-20, 0, 25, 45];

export interface SimCoreResult {
  chemistry: {
    name: string;
    window_V: [number, number];
    /** sim/cell.ts cellParams at 25 °C: OCV and R0 per SOC point. */
    ocv_V: number[];
    r0_ohm: number[];
    /** The analyser's OCV model (temperature-corrected OCV) per temperature and SOC point. */
    analyzerOcv_V: number[][];
    capacityFactor: number[];
    limits: unknown;
    envelope: unknown;
    /** The compiled union-grid OCV table the pack steps on. */
    compiledOcv: number[];
  };
  presets: { name: string; capacity_Ah: number; minV: number; maxV: number; charge_current_A: number }[];
  scenario: { name: string; pack: string; dt_s: number; steps: string[]; bms: unknown; faults: unknown };
}

export function simCore(chemistryText: string, chemistryLabel: string, scenario: unknown): SimCoreResult {
  const chem = parseChemistry(chemistryLabel, chemistryText);
  const spec = chem.spec;
  const ocvModel = new OcvModel(spec);
  const sc = readScenario('browser-scenario.json', scenario);
  return {
    chemistry: {
      name: chem.name,
      window_V: [chem.minV, chem.maxV],
      ocv_V: SOCS.map((z) => cellParams(spec, z, 25).ocv_V),
      r0_ohm: SOCS.map((z) => cellParams(spec, z, 25).r0_ohm),
      analyzerOcv_V: TEMPS_C.map((T) => SOCS.map((z) => ocvModel.ocv(z, T))),
      capacityFactor: TEMPS_C.map((T) => capacityFactor(spec, T)),
      limits: spec.limits,
      envelope: spec.envelope,
      compiledOcv: Array.from(chem.ocv),
    },
    presets: PRESETS.map((name) => {
      const c = chemistryPreset(name);
      return { name: c.name, capacity_Ah: c.capacity_Ah, minV: c.minV, maxV: c.maxV, charge_current_A: c.spec.limits.charge_current_A };
    }),
    scenario: {
      name: sc.name,
      pack: `${sc.pack.ns}s${sc.pack.np}p`,
      dt_s: sc.dt_s,
      steps: sc.steps.map((s) => s.text),
      bms: sc.bms,
      faults: sc.faults,
    },
  };
}
