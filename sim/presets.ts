/**
 * The JSON presets shipped in sim/ (chemistries, vehicles, ambient profiles, the BMS
 * configuration), as JSON modules: Node imports them natively, Vite bundles them for the
 * browser, so the sim core needs no file access for a preset. Each call hands out a fresh copy
 * (a caller may merge into or change it); the values are validated by their readers
 * (readChemistry, readVehicle, readAmbient, readBmsConfig), not here.
 *
 * The shipped drive cycles are CSV, not JSON: they come through InputFiles.shipped (sim/inputs.ts).
 */
import layered18650 from './chemistry/naion-18650-layered.json' with { type: 'json' };
import layered32140 from './chemistry/naion-32140-layered.json' with { type: 'json' };
import nvpf from './chemistry/naion-nvpf-polyanion.json' with { type: 'json' };
import prismatic from './chemistry/naion-prismatic-150ah.json' with { type: 'json' };
import compactCar from './vehicles/compact-car.json' with { type: 'json' };
import threeWheeler from './vehicles/three-wheeler.json' with { type: 'json' };
import scooter from './vehicles/scooter.json' with { type: 'json' };
import hotSummerDay from './ambient/hot-summer-day.json' with { type: 'json' };
import bmsDefault from './bms/config/default.json' with { type: 'json' };

const CHEMISTRY: Readonly<Record<string, unknown>> = {
  'naion-18650-layered': layered18650,
  'naion-32140-layered': layered32140,
  'naion-prismatic-150ah': prismatic,
  'naion-nvpf-polyanion': nvpf,
};
const VEHICLE: Readonly<Record<string, unknown>> = { 'compact-car': compactCar, 'three-wheeler': threeWheeler, scooter };
const AMBIENT: Readonly<Record<string, unknown>> = { 'hot-summer-day': hotSummerDay };
const BMS: Readonly<Record<string, unknown>> = { default: bmsDefault };

export type PresetKind = 'chemistry' | 'vehicle' | 'ambient' | 'bms';
const TABLES: Readonly<Record<PresetKind, Readonly<Record<string, unknown>>>> = { chemistry: CHEMISTRY, vehicle: VEHICLE, ambient: AMBIENT, bms: BMS };
const FOLDERS: Readonly<Record<PresetKind, string>> = { chemistry: 'chemistry', vehicle: 'vehicles', ambient: 'ambient', bms: 'bms/config' };

/** The parsed JSON of a shipped preset (a fresh copy), or undefined when there is none of that name. */
export function presetJson(kind: PresetKind, name: string): unknown {
  const t = TABLES[kind];
  return Object.hasOwn(t, name) ? structuredClone(t[name]) : undefined;
}

/** The preset's file as error messages name it (`sim/chemistry/NAME.json`). */
export function presetLabel(kind: PresetKind, name: string): string {
  return `sim/${FOLDERS[kind]}/${name}.json`;
}
