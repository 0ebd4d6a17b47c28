/**
 * Generator for the chemistry presets in sim/chemistry/*.json.
 *
 *   npx tsx sim/chemistry/build.ts
 *
 * Reads the source data in sim/data/chemistry/*.csv, derives the four presets the way
 * design/sodium-ion.md §4 prescribes, validates each with `readChemistry` and writes
 * them pretty-printed (number arrays on one line). The output depends only on the CSV
 * files and the constants below, so running it twice gives byte-identical files; a
 * test (test/sim/chemistry.test.ts) checks the committed JSON is what this produces.
 *
 * Every number that goes into a preset carries its origin in that preset's `sources`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChemistryFile, type Limits, PRESETS, readChemistry } from '../chemistry.ts';
import { interp1 } from '../table.ts';
import { CHARGE_FIT_JSON, type ChargeFit, type Csv, HAKADI_CSV, NVPF_CSV, type SourceData, parseCsv, readChargeFit } from './source.ts';

export { CHARGE_FIT_JSON, type ChargeFit, type SourceData, parseCsv } from './source.ts';

export const DATA_DIR = fileURLToPath(new URL('../data/chemistry/', import.meta.url));
export const OUT_DIR = fileURLToPath(new URL('./', import.meta.url));

// Citations used in several presets (design/sodium-ion.md explains each).
const HAKADI = '[repo: MaxMax-embedded/hakadi_soidum_ion_18650 @ a13c42d, README.md] (measurement data CC0 1.0)';
const HAKADI_CSV_REF = `sim/data/chemistry/${HAKADI_CSV}`;
const WEI = 'Wei et al., J. Electrochem. Soc. 2022, 050503 [page: https://ouci.dntb.gov.ua/works/7WeyPaOl]';
const PYBAMM_ECM = '[repo: pybamm-team/PyBaMM @ 7c9f5bd, packages/pybamm/src/pybamm/input/parameters/ecm/example_set.py]';
const TOB = '[page: https://tobmachine.com/18650-sodium-ion-batteries-for-sale_p1317.html]';

function column(csv: Csv, name: string, label: string): number[] {
  const c = csv.data[name];
  if (!c) throw new Error(`${label}: no column "${name}"`);
  return c;
}

/** The CSV rows sorted by ascending soc (the Hakadi file runs from soc 1 down to 0). */
function ascendingBySoc(csv: Csv, names: string[], label: string): Record<string, number[]> {
  const soc = column(csv, 'soc', label);
  const order = soc.map((_, i) => i).sort((a, b) => soc[a]! - soc[b]!);
  const out: Record<string, number[]> = {};
  for (const n of ['soc', ...names]) {
    const c = column(csv, n, label);
    out[n] = order.map((i) => c[i]!);
  }
  return out;
}

// ---------------------------------------------------------------- numerics

/** Round to `digits` decimals (removes binary noise such as 3.0545000000000004). */
const fixed = (x: number, digits: number): number => Number(x.toFixed(digits));
/** Round to `n` significant digits. */
const sig = (x: number, n: number): number => Number(x.toPrecision(n));

/** x at which an ascending table ys(xs) reaches y (linear; clamped to the table). */
function inverseInterp(xs: number[], ys: number[], y: number): number {
  if (y <= ys[0]!) return xs[0]!;
  for (let i = 1; i < ys.length; i++) {
    if (ys[i]! >= y) return xs[i - 1]! + ((y - ys[i - 1]!) / (ys[i]! - ys[i - 1]!)) * (xs[i]! - xs[i - 1]!);
  }
  return xs[xs.length - 1]!;
}

const grid101 = (): number[] => Array.from({ length: 101 }, (_, i) => fixed(i / 100, 2));

// ---------------------------------------------------------------- shared parameters

/** Hysteresis of the layered-oxide cells (sodium-ion.md §4, from the Hakadi incremental OCV). */
const HYST_LAYERED = { soc: [0, 0.35, 0.45, 1], M_V: [0.04, 0.04, 0.01, 0.01], gamma: 20 };
/** Polyanion (NVPF) hysteresis: EST, half the layered-oxide values. */
const HYST_NVPF = { soc: [0, 0.35, 0.45, 1], M_V: [0.02, 0.02, 0.005, 0.005], gamma: 20 };
const DUDT_FLAT = { soc: [0, 1], value_V_per_K: [-0.0002, -0.0002] };
const TAU1_S = 15;
const TAU2_S = 300;
const EA_R0 = 20000;
/** sodium-ion.md §4 proposes 35 kJ/mol (EST); tuned to 20 kJ/mol, see TUNING. */
const EA_RC = 20000;
/**
 * The 18650's R0/R1/R2 split of its 50 mΩ at soc 0.5. sodium-ion.md §4 proposes
 * 18/12/20 mΩ (EST); tuned to 18/27/5 mΩ, see TUNING. The 32140 and the NVPF cell use the
 * same fractions; the EV prismatic keeps the split §4 tabulates for it.
 */
const SPLIT_18650 = { r0: 0.018, r1: 0.027, r2: 0.005 };
/** Effective surface heat-transfer coefficient of a free-standing cylindrical cell, W/(m² K); see TUNING. */
const H_NATURAL = 15;
const ETA_CHARGE = 0.999;
/** Capacity fraction vs temperature, consumer/EV grade (sodium-ion.md §4); 1.0 from room temperature up. */
const LOW_T_18650 = { temperature_C: [-40, -30, -20, 0, 20], factor: [0.75, 0.85, 0.9, 0.96, 1] };
/** Naxtra-grade (−40 °C 0.90), for the EV prismatic. */
const LOW_T_NAXTRA = { temperature_C: [-40, -30, -20, 0, 20], factor: [0.9, 0.92, 0.94, 0.97, 1] };

/** Effective DC resistance r_eff(soc) of the Hakadi cell with the gap below soc 0.03 filled. */
function hakadiReff(d: Record<string, number[]>): { soc: number[]; r: number[] } {
  const soc = d.soc!;
  const r = d.r_eff_mohm!.slice();
  // No data below soc 0.03 (the 2C run has ended there): hold the first measured value,
  // i.e. cap the ratio at r_eff(0.03)/r_eff(0.5) = 2.43 instead of following a trend that diverges.
  const first = r.findIndex((v) => Number.isFinite(v));
  for (let i = 0; i < first; i++) r[i] = r[first]!;
  return { soc, r };
}

/**
 * The layered-oxide curve for a cell whose window is 1.5 V..maxV, on a 101-point SOC grid:
 * the Hakadi discharge branch truncated where it sits as far below maxV as the measured
 * cell's branch sits below 4.1 V at the end of its CCCV charge (4.5 mV), SOC renormalised
 * to that point, the central OCV = branch + M(soc), and the resistance shape r_eff/r_eff(0.5).
 */
function layeredCurve(src: SourceData, maxV: number, minV: number, hyst: Hysteresis = HYST_LAYERED, over: Overcharge = OVERCHARGE) {
  const d = ascendingBySoc(src.hakadi, ['ocv_dis_est_V', 'r_eff_mohm'], HAKADI_CSV_REF);
  const z = d.soc!;
  const dis = d.ocv_dis_est_V!;
  const reff = hakadiReff(d);
  const gapTop = 4.1 - dis[dis.length - 1]!;
  const zTop = Math.min(1, inverseInterp(z, dis, maxV - gapTop));
  const soc = grid101();
  const M = (s: number) => interp1(hyst.soc, hyst.M_V, s);
  const ocv = soc.map((s) => fixed(interp1(z, dis, s * zTop) + M(s), 4));
  const rMid = interp1(reff.soc, reff.r, 0.5 * zTop);
  const shape = soc.map((s) => interp1(reff.soc, reff.r, s * zTop) / rMid);
  // The central OCV at soc 0 is the 1.5 V cut-off plus M(0) = 40 mV. Extend it linearly to
  // min_V one short step below soc 0 so the table covers the window; the model's SOC 0
  // stays where the discharge branch meets the cut-off.
  const slope = (ocv[1]! - ocv[0]!) / (soc[1]! - soc[0]!);
  const sNeg = fixed(-(ocv[0]! - minV) / slope, 5);
  return {
    zTop,
    ocv: withOvercharge({ soc: [sNeg, ...soc], voltage_V: [minV, ...ocv] }, over),
    rSoc: soc,
    shape,
  };
}

/**
 * Overcharge: above SOC 1 the table would otherwise stay flat (tables are clamped), so an
 * overcharged cell would never show it and a BMS could not trip on it. Beyond full charge the
 * cathode is driven past its rated potential and the voltage climbs steeply; no Na-ion
 * overcharge curve was found, so this is an estimate (EST): +0.10 V at 2 % and +0.50 V at 5 %
 * above full charge, the shape seen when layered-oxide Li-ion cells are overcharged.
 */
type Overcharge = readonly (readonly [number, number])[];
const OVERCHARGE: Overcharge = [
  [0.02, 0.1],
  [0.05, 0.5],
];
type Hysteresis = ChemistryFile['hysteresis'];
export const OVERCHARGE_SOURCE =
  'ocv above soc 1 (overcharge): +0.10 V at soc 1.02 and +0.50 V at soc 1.05 over OCV(1), so that an overcharged cell shows it and the BMS can trip; EST (no Na-ion overcharge curve found; the steep rise of overcharged layered-oxide cells).';

function withOvercharge(ocv: { soc: number[]; voltage_V: number[] }, over: Overcharge = OVERCHARGE): { soc: number[]; voltage_V: number[] } {
  const top = ocv.voltage_V[ocv.voltage_V.length - 1]!;
  return {
    soc: [...ocv.soc, ...over.map(([d]) => fixed(1 + d, 4))],
    voltage_V: [...ocv.voltage_V, ...over.map(([, dv]) => fixed(top + dv, 4))],
  };
}

/** The source data from sim/data/chemistry/ (Node: reads the files). */
export function readSourceData(dataDir = DATA_DIR): SourceData {
  const read = (name: string) => parseCsv(readFileSync(resolve(dataDir, name), 'utf8'), `sim/data/chemistry/${name}`);
  const fitText = readFileSync(resolve(dataDir, CHARGE_FIT_JSON), 'utf8');
  return { hakadi: read(HAKADI_CSV), nvpf: read(NVPF_CSV), chargeFit: readChargeFit(fitText, `sim/data/chemistry/${CHARGE_FIT_JSON}`) };
}

/** Arrhenius resistance tables: R_j(soc) = R_j(mid) · shape(soc), C_j = τ_j / R_j. */
function arrhenius(soc: number[], shape: number[], r0: number, r1: number, r2: number, tau2 = TAU2_S): ChemistryFile['resistance'] {
  const rs = (rMid: number) => shape.map((f) => sig(rMid * f, 5));
  const r1s = rs(r1);
  const r2s = rs(r2);
  return {
    form: 'arrhenius',
    soc,
    r0_ohm: rs(r0),
    rc: [
      { r_ohm: r1s, c_F: r1s.map((r) => sig(TAU1_S / r, 6)) },
      { r_ohm: r2s, c_F: r2s.map((r) => sig(tau2 / r, 6)) },
    ],
    r0_Ea_J_per_mol: EA_R0,
    rc_Ea_J_per_mol: EA_RC,
  };
}

/** The fitted charge resistance on the resistance table's own SOC axis (linear between the fit's nodes). */
function withChargeR0(res: ChemistryFile['resistance'], r0c: ChargeFit['r0_charge']): ChemistryFile['resistance'] {
  if (!r0c || res.form !== 'arrhenius') return res;
  const { form, soc, r0_ohm, rc, r0_Ea_J_per_mol, rc_Ea_J_per_mol } = res;
  const r0_charge_ohm = soc.map((s) => sig(interp1(r0c.soc, r0c.ohm, s), 5));
  return { form, soc, r0_ohm, r0_charge_ohm, rc, r0_Ea_J_per_mol, rc_Ea_J_per_mol };
}

/**
 * Charge-current derating over temperature: `below` between tMin and tKnee, 0 at and below
 * tMin, 1 above tKnee, with 1 K ramps placed on the safe side of each threshold.
 */
function derating(tMin: number, tKnee: number, below: number): Limits['charge_derating'] {
  return { temperature_C: [tMin, tMin + 1, tKnee, tKnee + 1], factor: [0, below, below, 1] };
}

// ---------------------------------------------------------------- presets

/** What was tuned to pass the validation against the measured 18650 discharges, and why. */
const TUNING =
  'TUNING (test/sim/validation.test.ts: the reference Cell on the 0.5C/2C CC discharges of ' +
  HAKADI_CSV_REF +
  ', 23 °C ambient, RMS over 5–95 % depth of discharge). With the sodium-ion.md §4 estimates (R 18/12/20 mΩ, Ea_RC 35 kJ/mol, hA 0.042 W/K) the RMS was 5.6 mV at 0.5C but 37.8 mV at 2C: the model cell heated to ~36 °C and lost too much resistance, and the 300 s branch made the 2C polarisation build up too slowly (the data show r_eff ≈ 64 mΩ at both rates by soc 0.95, i.e. within 90 s at 3 A). Three EST values were moved within their uncertainty: (1) RC split 18/27/5 mΩ (R0 unchanged, still below the 20 mΩ AC IR; sum still 50 mΩ; tau 15 s / 300 s unchanged); (2) Ea of R1/R2 20 kJ/mol, the single Ea PyBaMM ECM_Example applies to its whole DCIR (R0 and R1); (3) h = 15 W/(m² K) effective (natural convection ~6–10 plus radiation ~5 from a sleeved can, plus conduction into holder and leads) instead of 10. Result: RMS 4.9 mV (0.5C), 19.3 mV (2C). The 2C figure depends on the assumed ambient (11.5 mV at 20 °C, 25.1 mV at 25 °C; the data header says 20–25 °C, not controlled).';

function commonLayeredSources(): string[] {
  return [
    'T_ref_C 25 °C: reference temperature of dUdT and of the Arrhenius factors (sodium-ion.md §4).',
    `dUdT -0.2 mV/K flat in SOC: measured -0.20 mV/K (ΔS ≈ -19.6 J/(mol K), flat over 10–90 % SOC) for hard carbon | Na3V2(PO4)3, ${WEI}; no value found for layered oxide, so EST here (sodium-ion.md §3.2, §4).`,
    `hysteresis: M = 40 mV below soc 0.35, linear to 10 mV at soc >= 0.45 = half the charge/discharge gap of the Hakadi incremental OCV test (up to ~80 mV at 0–35 % SOC, ~20 mV at 35–100 %), ${HAKADI}, section "OCV Test"; gamma 20 (settles within ~5 % SOC) EST (sodium-ion.md §3.2, §4).`,
    `coulombic_efficiency_charge 0.999: Hakadi static tests give efficiencies "in the region of 1" at the recommended 0.5C charge and < 0.95 at 1C, ${HAKADI}, section "Static capacity tests"; 0.999 is EST (the ±5 % Hall-sensor coulomb count cannot resolve it) and the extra loss at 1C is not modelled (one scalar).`,
    `resistance shape over SOC: each R multiplied by r_eff(soc)/r_eff(0.5) of ${HAKADI_CSV_REF} (r_eff = effective DC resistance of 6 CC discharges, 49.0 mΩ at soc 0.5; 1.3 at 10 % and 90 %, 1.8 at 5 %), C_j = tau_j / R_j at each SOC so tau_1 = 15 s and tau_2 = 300 s everywhere (sodium-ion.md §3.3, §4). Below soc 0.03 the CSV has no r_eff: the soc-0.03 ratio (119.0/49.0 = 2.43) is held there, a cap instead of extending a trend that diverges towards the cut-off.`,
    `R(T): Arrhenius with Ea 20 kJ/mol for R0 and for R1/R2, the single Ea of PyBaMM's ECM_Example DCIR (${PYBAMM_ECM}); sodium-ion.md §4 proposed 35 kJ/mol for R1/R2 (EST), lowered by the TUNING below; capacitances independent of temperature.`,
    'charge_derating: 1C, 0.5C below 10 °C, none below -10 °C (sodium-ion.md §4, Hakadi/TOB datasheets, EST derating), written as a clamped table whose 1 K ramps lie on the safe side of each threshold: factor 0 at <= -10 °C, 0.5 from -9 °C to 10 °C, 1 from 11 °C.',
    `temperature limits: charge -10…45 °C, discharge -30…60 °C (Hakadi datasheet, ${HAKADI}); cut-off 65 °C EST (sodium-ion.md §3.2, §4).`,
    TUNING,
  ];
}

function ocvSource(maxV: number, zTop: number): string {
  const base = `ocv: central OCV = ocv_dis_est_V + M(soc) from ${HAKADI_CSV_REF} (sodium-ion.md §4: the CSV is the zero-current discharge branch of 6 CC discharges after CCCV to 4.1 V, which already contains -M; adding M avoids counting the hysteresis twice). The CSV's own points below soc 0.03 are a linear join to 1.5 V at soc 0 (CSV header). One point is added below soc 0 where the central curve, extended linearly, reaches min_V = 1.5 V, so the table covers the window; SOC 0 stays where the discharge branch meets 1.5 V.`;
  if (maxV >= 4.1) return base;
  return `${base} Window 1.5–${maxV.toFixed(1)} V (sodium-ion.md §4 "scaled to the window"): the 18650 curve is TRUNCATED, not rescaled: cut where its discharge branch is 4.5 mV below ${maxV.toFixed(1)} V (the gap the measured cell has below 4.1 V at the end of CCCV), i.e. at 18650 soc ${zTop.toFixed(4)}, and the SOC axis renormalised, soc = soc_18650 / ${zTop.toFixed(4)}; M and the resistance shape are then applied on the new axis. Reason: electrode potentials are material properties, so a same-chemistry cell rated to a lower top voltage uses less of the top of the curve; an affine voltage rescale (1.5→1.5, 4.1→${maxV.toFixed(1)} V) would instead shift the mid-SOC OCV by about -60 mV. EST.`;
}

export function preset18650(src: SourceData): Omit<ChemistryFile, 'envelope'> {
  const Q = 1.5;
  const fit = src.chargeFit;
  const hyst = { soc: fit.hysteresis.soc, M_V: fit.hysteresis.M_V, gamma: fit.gamma };
  const c = layeredCurve(src, 4.1, 1.5, hyst, fit.overcharge);
  return {
    name: 'naion-18650-layered',
    description:
      'Hakadi-class 1.5 Ah layered-oxide (NFM) | hard-carbon sodium-ion 18650, 1.5–4.1 V, derived from and validated against measured CC discharges.',
    family: 'layered-oxide',
    sources: [
      fit.source,
      `cell: Hakadi 1500 mAh 18650, NaNi1/3Fe1/3Mn1/3O2 | hard carbon, datasheet and measurements in ${HAKADI}; derived data ${HAKADI_CSV_REF}; design notes sodium-ion.md §3.1, §3.3, §4.`,
      `capacity_Ah 1.5: datasheet nominal at 0.5C (${HAKADI}); measured zero-current capacity 1.4948 Ah (${HAKADI_CSV_REF} header), which test/sim/validation.test.ts uses to align the SOC axis.`,
      `voltage: 1.5–4.1 V = datasheet cut-off and charge voltage (${HAKADI}); nominal 3.05 V: measured mean pseudo-OCV 3.06 V (sodium-ion.md §3.3), generic 3.0–3.1 V (§3.1).`,
      ocvSource(4.1, c.zTop),
      ...commonLayeredSources().filter((s) => !s.startsWith('hysteresis:')),
      `resistance at soc 0.5, 25 °C: R0 18 mΩ, R1 ${fit.rc ? `${fixed(fit.rc.r1_ohm * 1000, 2)} mΩ (FITTED with the charge side, first entry; the TUNING below had 27 mΩ)` : '27 mΩ'} (tau 15 s), R2 5 mΩ (C2 60 kF, tau 300 s): EST split of the measured effective DC resistance 49 mΩ at 50 % SOC (R0+R1+R2 = 50 mΩ; sodium-ion.md §3.3, §4, whose 18/12/20 mΩ split was moved by the TUNING below); the datasheet AC IR < 20 mΩ (1 kHz) bounds R0. r0_charge_ohm: see the first entry.`,
      'thermal: mass 37 g (measured 36.5–37.0 g, datasheet 37.5 g); specific heat 1000 J/(kg K) EST gives 37 J/K; hA = 15 W/(m² K) effective × 4.2e-3 m² can surface = 0.063 W/K, EST (sodium-ion.md §4 has 10 W/(m² K) natural convection, 0.042 W/K; raised by the TUNING below; forced air 40 W/(m² K) would give 0.17 W/K).',
      'low_temperature_capacity: 0 °C 0.96, -20 °C 0.90 (CATL gen 1 ">90 % at -20 °C"), -30 °C 0.85, -40 °C 0.75 (sodium-ion.md §4; all but -20 °C EST); factor 1 from 20 °C up because the data that define the SOC axis were taken at uncontrolled room temperature (~20–25 °C), linear between breakpoints (EST).',
      `limits: charge 1C = 1.5 A, discharge 3C = 4.5 A continuous (Hakadi datasheet); peak 6C = 9 A for 10 s: the TOB 18650's "6C max discharge" (${TOB}) taken as a 10 s peak only, EST (the Hakadi datasheet gives no peak rating).`,
    ],
    capacity_Ah: Q,
    voltage: { min_V: 1.5, max_V: 4.1, nominal_V: 3.05 },
    T_ref_C: 25,
    coulombic_efficiency_charge: ETA_CHARGE,
    ocv: c.ocv,
    dUdT: DUDT_FLAT,
    hysteresis: hyst,
    resistance: withChargeR0(
      arrhenius(c.rSoc, c.shape, SPLIT_18650.r0, fit.rc?.r1_ohm ?? SPLIT_18650.r1, fit.rc?.r2_ohm ?? SPLIT_18650.r2, fit.rc?.tau2_s),
      fit.r0_charge,
    ),
    thermal: { heat_capacity_J_per_K: 37, hA_W_per_K: fixed(H_NATURAL * 4.2e-3, 3), mass_kg: 0.037 },
    low_temperature_capacity: LOW_T_18650,
    limits: {
      charge_current_A: 1 * Q,
      discharge_current_A: 3 * Q,
      peak_discharge_current_A: 6 * Q,
      peak_duration_s: 10,
      charge_temperature_C: { min: -10, max: 45 },
      discharge_temperature_C: { min: -30, max: 60 },
      cutoff_temperature_C: 65,
      charge_derating: derating(-10, 10, 0.5),
    },
  };
}

function preset32140(src: SourceData): Omit<ChemistryFile, 'envelope'> {
  const Q = 12;
  const c = layeredCurve(src, 4.0, 1.5);
  return {
    name: 'naion-32140-layered',
    description: 'HiNa-class 12 Ah layered-oxide | hard-carbon sodium-ion 32140 cylinder, 1.5–4.0 V, scaled from the Hakadi 18650 (R ∝ 1/Q, C ∝ Q).',
    family: 'layered-oxide',
    sources: [
      OVERCHARGE_SOURCE,
      'cell: HiNa (Zhongke Haina) 32140 cylinder as used in the JAC Yiwei pack, 140 Wh/kg [page: http://global.chinadaily.com.cn/a/202401/06/WS659892e0a3105f21a507ad9e.html], [page: https://www.eautoarena.com/2022/12/03/worlds-first-commercial-sodium-ion-battery-production-starts/] (sodium-ion.md §3.1); all parameters "scaled" from the Hakadi 18650 as sodium-ion.md §4 defines it.',
      'capacity_Ah 12: EST placeholder (the HiNa 32140 exists; its capacity was not found), sodium-ion.md §4.',
      'voltage: 1.5–4.0 V and nominal 3.0 V: sodium-ion.md §4 (generic 3.0–3.1 V nominal, §3.1); EST.',
      ocvSource(4.0, c.zTop),
      ...commonLayeredSources(),
      'resistance at soc 0.5, 25 °C: the (tuned) 18650 values scaled by R·Q = const (×1.5/12), C ∝ Q: R0 2.25 mΩ, R1 3.375 mΩ (C1 4444 F, tau 15 s), R2 0.625 mΩ (C2 480 kF, tau 300 s); R0+R1+R2 = 6.25 mΩ = 0.075 Ω·Ah / 12 Ah (sodium-ion.md §3.3, §4; §4 tabulates R1 1.5 / R2 2.5 mΩ, the scaled untuned 18650 split), EST.',
      'thermal: mass 0.26 kg = 36 Wh at 140 Wh/kg, specific heat 1000 J/(kg K) EST gives 260 J/K; hA = 15 W/(m² K) effective (as the tuned 18650: natural convection plus radiation) × 1.57e-2 m² ≈ 0.235 W/K (sodium-ion.md §4: 0.16 W/K at 10 W/(m² K); forced air 0.63 W/K), EST.',
      'low_temperature_capacity: as the 18650 class: 0 °C 0.96, -20 °C 0.90 (CATL gen 1), -30 °C 0.85, -40 °C 0.75, 1 from 20 °C (sodium-ion.md §4; EST but -20 °C).',
      'limits: charge 1C = 12 A, discharge 3C = 36 A continuous (sodium-ion.md §4); peak 5C = 60 A for 10 s EST (between the 18650 class 6C and the EV prismatic 5C).',
    ],
    capacity_Ah: Q,
    voltage: { min_V: 1.5, max_V: 4.0, nominal_V: 3.0 },
    T_ref_C: 25,
    coulombic_efficiency_charge: ETA_CHARGE,
    ocv: c.ocv,
    dUdT: DUDT_FLAT,
    hysteresis: HYST_LAYERED,
    resistance: arrhenius(c.rSoc, c.shape, (SPLIT_18650.r0 * 1.5) / Q, (SPLIT_18650.r1 * 1.5) / Q, (SPLIT_18650.r2 * 1.5) / Q),
    thermal: { heat_capacity_J_per_K: 260, hA_W_per_K: fixed(H_NATURAL * 1.57e-2, 3), mass_kg: 0.26 },
    low_temperature_capacity: LOW_T_18650,
    limits: {
      charge_current_A: 1 * Q,
      discharge_current_A: 3 * Q,
      peak_discharge_current_A: 5 * Q,
      peak_duration_s: 10,
      charge_temperature_C: { min: -10, max: 45 },
      discharge_temperature_C: { min: -30, max: 60 },
      cutoff_temperature_C: 65,
      charge_derating: derating(-10, 10, 0.5),
    },
  };
}

function presetPrismatic(src: SourceData): Omit<ChemistryFile, 'envelope'> {
  const Q = 150;
  const c = layeredCurve(src, 4.0, 1.5);
  return {
    name: 'naion-prismatic-150ah',
    description: 'EV-grade 150 Ah layered-oxide | hard-carbon sodium-ion prismatic cell on a liquid-cooled plate, 1.5–4.0 V, scaled from the Hakadi 18650.',
    family: 'layered-oxide',
    sources: [
      OVERCHARGE_SOURCE,
      'cell: EV prismatic class (HiNa "K150"-style naming [page: notebookcheck.com, "Neue Natrium-Ionen-Batterie für gewerbliche E-Fahrzeuge…"]; CATL Naxtra format not published [page: https://techcentral.co.za/catl-new-sodium-ion-battery-brand/262550/]); sodium-ion.md §3.1, §4.',
      'capacity_Ah 150: EST (sodium-ion.md §4).',
      'voltage: 1.5–4.0 V (usable minimum 2.0 V) and nominal 3.05 V: sodium-ion.md §4, EST.',
      ocvSource(4.0, c.zTop),
      ...commonLayeredSources().filter((s) => !s.startsWith('charge_derating') && !s.startsWith('temperature limits')),
      "resistance at soc 0.5, 25 °C: R0 0.25 mΩ, R1 0.15 mΩ (C1 100 kF, tau 15 s), R2 0.15 mΩ (C2 2 MF, tau 300 s) as tabulated in sodium-ion.md §4 (its own split, not the 18650's, so the 18650 split tuning is not carried over); R·Q = 0.0825 Ω·Ah lies between the 18650 (0.075) and PyBaMM ECM_Example (0.1), EST.",
      'thermal: mass 2.7 kg = 460 Wh at 170 Wh/kg, specific heat 1000 J/(kg K) EST gives 2700 J/K; hA 3 W/K = the cell-to-cold-plate conductance k_cj of sodium-ion.md §4. Two-node simplification: the lumped model has one node, so the plate/coolant (500 J/K per cell, 10 W/K to coolant in §4) is taken as the ambient: run it with T_amb = coolant temperature. Passive (no coolant flow) would be ≈0.4 W/K. EST.',
      'low_temperature_capacity: Naxtra grade: -40 °C 0.90 (CATL Naxtra "90 % usable at -40 °C", [page: https://techcentral.co.za/catl-new-sodium-ion-battery-brand/262550/]), -30 °C 0.92, -20 °C 0.94, 0 °C 0.97, 1 from 20 °C; points other than -40 °C interpolated, EST (sodium-ion.md §3.1, §4).',
      'limits: charge 3C = 450 A continuous, discharge 3C = 450 A continuous (EST), peak 5C = 750 A for 10 s (CATL Naxtra "5C peak", JAC/HiNa 3–4C charge claims; sodium-ion.md §3.1, §4).',
      'charge_derating: EST: 1C (factor 1/3) from -19 °C to 10 °C (Naxtra charges 30→80 % in 30 min at -30 °C, so 1C is conservative), 0 at <= -20 °C, full 3C from 11 °C; 1 K ramps on the safe side.',
      'temperature limits: charge -20…55 °C (sodium-ion.md §4); discharge -30…60 °C and cut-off 65 °C as the 18650 class (§4 "same"; the -40 °C capacity entry matters only for cold soaks outside the BMS window), EST.',
    ],
    capacity_Ah: Q,
    voltage: { min_V: 1.5, max_V: 4.0, nominal_V: 3.05 },
    T_ref_C: 25,
    coulombic_efficiency_charge: ETA_CHARGE,
    ocv: c.ocv,
    dUdT: DUDT_FLAT,
    hysteresis: HYST_LAYERED,
    resistance: arrhenius(c.rSoc, c.shape, 0.00025, 0.00015, 0.00015),
    thermal: { heat_capacity_J_per_K: 2700, hA_W_per_K: 3, mass_kg: 2.7 },
    low_temperature_capacity: LOW_T_NAXTRA,
    limits: {
      charge_current_A: 3 * Q,
      discharge_current_A: 3 * Q,
      peak_discharge_current_A: 5 * Q,
      peak_duration_s: 10,
      charge_temperature_C: { min: -20, max: 55 },
      discharge_temperature_C: { min: -30, max: 60 },
      cutoff_temperature_C: 65,
      charge_derating: derating(-20, 10, 0.3333),
    },
  };
}

function presetNvpf(src: SourceData): Omit<ChemistryFile, 'envelope'> {
  const Q = 1.0;
  const label = `sim/data/chemistry/${NVPF_CSV}`;
  const d = ascendingBySoc(src.nvpf, ['ocv_V'], label);
  const h = ascendingBySoc(src.hakadi, ['r_eff_mohm'], HAKADI_CSV_REF);
  const reff = hakadiReff(h);
  const rMid = interp1(reff.soc, reff.r, 0.5);
  const rSoc = grid101();
  const shape = rSoc.map((s) => interp1(reff.soc, reff.r, s) / rMid);
  const rq = 0.075; // Ω·Ah
  const sum = SPLIT_18650.r0 + SPLIT_18650.r1 + SPLIT_18650.r2;
  const splitOf = (total: number): [number, number, number] => [(total * SPLIT_18650.r0) / sum, (total * SPLIT_18650.r1) / sum, (total * SPLIT_18650.r2) / sum];
  return {
    name: 'naion-nvpf-polyanion',
    description:
      'A 1.0 Ah 18650-class polyanion (Na3V2(PO4)2F3) | hard-carbon sodium-ion cell, 2.0–4.2 V, with the plateau OCV of the PyBaMM Chayambuka2022 set.',
    family: 'polyanion',
    sources: [
      OVERCHARGE_SOURCE,
      `ocv: ${label} (101 points, 2.0–4.2 V), the full-cell OCV U_p - U_n of PyBaMM's Chayambuka2022 set computed by the electrode-SOH method of sodium-ion.md §2 from [repo: pybamm-team/PyBaMM @ 7c9f5bd, packages/pybamm/src/pybamm/input/parameters/sodium_ion/{Chayambuka2022.py,data/U_n.csv,data/U_p.csv}] (BSD-3-Clause; after Chayambuka et al., Electrochim. Acta 404 (2022) 139764). It is an equilibrium curve, so it is the central OCV as is (no hysteresis to add). The 0–2 % and 99–100 % points depend on OCP extrapolation (§2).`,
      'capacity_Ah 1.0: EST: the 2.9 mAh lab cell of the set scaled to an 18650-class polyanion cell (NVPF 18650s are ~1 Ah); the SOC axis is unchanged.',
      "voltage: 2.0–4.2 V = the set's cut-offs; nominal 3.65 V EST: the mean OCV is 3.678 V (sodium-ion.md §2), rounded down for load.",
      `dUdT -0.20 mV/K flat in SOC: measured for hard carbon | Na3V2(PO4)3 (ΔS ≈ -19.6 J/(mol K), flat over 10–90 % SOC), ${WEI}; PyBaMM's set itself uses 0 (isothermal); sodium-ion.md §3.2.`,
      "hysteresis: EST, half the layered-oxide values (M = 20 mV below soc 0.35, linear to 5 mV at soc >= 0.45), gamma 20: the hard-carbon anode's sloping-region hysteresis remains, no full-cell NVPF hysteresis data were found (sodium-ion.md §3.2).",
      'coulombic_efficiency_charge 0.999: EST, as the 18650 layered cell.',
      `resistance at soc 0.5, 25 °C: R·Q = 0.075 Ω·Ah (the Hakadi 18650's, sodium-ion.md §3.3) gives 75 mΩ, split as the tuned 18650 (36/54/10 %): R0 27 mΩ, R1 40.5 mΩ (C1 370.4 F, tau 15 s), R2 7.5 mΩ (C2 40 kF, tau 300 s); SOC shape r_eff(soc)/r_eff(0.5) of ${HAKADI_CSV_REF} (the layered cell's, soc-0.03 ratio held below 0.03). All EST: the PyBaMM set has no ECM resistances.`,
      `R(T): Arrhenius Ea 20 kJ/mol for R0 and R1/R2 (the single DCIR Ea of ${PYBAMM_ECM}), as the tuned layered presets; EST for this chemistry.`,
      'thermal: 18650 class: mass 40 g (1 Ah × 3.65 V at the ~90 Wh/kg of NVPF cells, sodium-ion.md §3.2 [page: https://www.mdpi.com/2313-0105/11/9/323/html]), 1000 J/(kg K) EST gives 40 J/K; hA 0.063 W/K as the tuned 18650 can (15 W/(m² K) × 4.2e-3 m²). EST.',
      'low_temperature_capacity: as the 18650 class (sodium-ion.md §4), EST for this chemistry.',
      'tuning: the R split fractions, Ea_RC and h follow the TUNING of naion-18650-layered.json (validated there against measured discharges); no NVPF data to validate against.',
      'limits: as the 18650 class (sodium-ion.md §4): charge 1C = 1 A with the same derating (0 at <= -10 °C, 0.5 to 10 °C, 1 from 11 °C), discharge 3C = 3 A, peak 6C = 6 A for 10 s (TOB 18650 6C, EST); charge -10…45 °C, discharge -30…60 °C, cut-off 65 °C. EST for this chemistry.',
    ],
    capacity_Ah: Q,
    voltage: { min_V: 2.0, max_V: 4.2, nominal_V: 3.65 },
    T_ref_C: 25,
    coulombic_efficiency_charge: ETA_CHARGE,
    ocv: withOvercharge({ soc: d.soc!, voltage_V: d.ocv_V! }),
    dUdT: DUDT_FLAT,
    hysteresis: HYST_NVPF,
    resistance: arrhenius(rSoc, shape, ...splitOf(rq / Q)),
    thermal: { heat_capacity_J_per_K: 40, hA_W_per_K: fixed(H_NATURAL * 4.2e-3, 3), mass_kg: 0.04 },
    low_temperature_capacity: LOW_T_18650,
    limits: {
      charge_current_A: 1 * Q,
      discharge_current_A: 3 * Q,
      peak_discharge_current_A: 6 * Q,
      peak_duration_s: 10,
      charge_temperature_C: { min: -10, max: 45 },
      discharge_temperature_C: { min: -30, max: 60 },
      cutoff_temperature_C: 65,
      charge_derating: derating(-10, 10, 0.5),
    },
  };
}

// ---------------------------------------------------------------- validity envelope

/** SOC margin outside 0..1: the overcharge extension of the OCV tables reaches soc 1.05. */
const ENVELOPE_SOC_MARGIN = 0.05;
/** Voltage abuse limits: this far outside the operating window (EST). */
const ENVELOPE_DV = 0.5;
/** Temperature range: this far beyond the discharge minimum and the cut-off (EST). */
const ENVELOPE_DT_COLD = 10;
const ENVELOPE_DT_HOT = 15;

const ENVELOPE_SOURCE = `envelope (where the model holds; outside it a run stops, sim/envelope.ts): soc ${-ENVELOPE_SOC_MARGIN}…${1 + ENVELOPE_SOC_MARGIN} (the OCV tables' overcharge extension ends at soc 1.05, the 18650's at 1.06); voltage ${ENVELOPE_DV} V beyond voltage.min_V and max_V (no data there: an ECM fitted inside the window means nothing far outside it), EST; temperature from ${ENVELOPE_DT_COLD} K below the discharge minimum (or the lowest low_temperature_capacity breakpoint, if lower) to ${ENVELOPE_DT_HOT} K above the cut-off (Arrhenius extrapolated no further), EST; current: the peak discharge current limits.peak_discharge_current_A, for charge and discharge.`;

/** A preset with its validity envelope, derived from its own window and limits by the rule above. */
function withEnvelope(spec: Omit<ChemistryFile, 'envelope'>): ChemistryFile {
  const L = spec.limits;
  const lowTable = spec.low_temperature_capacity?.temperature_C[0] ?? Infinity;
  const cold = Math.min(L.discharge_temperature_C.min - ENVELOPE_DT_COLD, lowTable, L.charge_temperature_C.min);
  return {
    ...spec,
    sources: [...spec.sources, ENVELOPE_SOURCE],
    envelope: {
      soc_margin: ENVELOPE_SOC_MARGIN,
      voltage_V: { min: fixed(Math.max(0, spec.voltage.min_V - ENVELOPE_DV), 3), max: fixed(spec.voltage.max_V + ENVELOPE_DV, 3) },
      temperature_C: { min: cold, max: L.cutoff_temperature_C + ENVELOPE_DT_HOT },
      current_A: Math.max(L.peak_discharge_current_A, L.charge_current_A),
    },
  };
}

/** The 18650 preset as buildPresets makes it, before validation (tools/fit-charge-branch.ts tries candidate fits with it). */
export function build18650(src: SourceData): ChemistryFile {
  return withEnvelope(preset18650(src));
}

// ---------------------------------------------------------------- output

/** JSON with two-space indentation, arrays of numbers on one line. */
export function formatJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export interface BuiltPreset {
  name: string;
  spec: ChemistryFile;
  text: string;
}

/** Build every preset in memory (validated); nothing is written. */
export function buildPresets(src: SourceData = readSourceData()): BuiltPreset[] {
  const specs = [preset18650(src), preset32140(src), presetPrismatic(src), presetNvpf(src)].map(withEnvelope);
  return specs.map((spec) => {
    const text = `${formatJson(spec)}\n`;
    // Round-trip through the validator so a generator bug can never ship a bad file.
    readChemistry(`sim/chemistry/${spec.name}.json`, JSON.parse(text));
    if (!(PRESETS as readonly string[]).includes(spec.name)) throw new Error(`${spec.name} is not listed in PRESETS (sim/chemistry.ts)`);
    return { name: spec.name, spec, text };
  });
}

function main(): void {
  for (const p of buildPresets()) {
    const path = resolve(OUT_DIR, `${p.name}.json`);
    writeFileSync(path, p.text);
    console.log(`wrote sim/chemistry/${p.name}.json (${Buffer.byteLength(p.text)} bytes)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
