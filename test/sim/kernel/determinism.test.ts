/**
 * Kernel packs are deterministic and independent: each has its own instance and memory, so
 * stepping other packs in between (of other shapes and chemistries) changes nothing, and two
 * packs built alike stay bit-identical.
 */
import { describe, expect, it } from 'vitest';
import { compileChemistry } from '../../../sim/chemistry.ts';
import { Pack } from '../../../sim/pack.ts';
import { Gap, type PackScenario, applyEvent, compareAdvanced, scenarioConfig, variantSpec } from './support.ts';

function scenario(ns: number, np: number, preset: PackScenario['variant']['preset'], seed: number): PackScenario {
  return {
    variant: { preset, nRC: 2, r0Ea: 20000, rcEa: 12000, lowT: true, tauScale: 1 },
    ns,
    np,
    seed,
    spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.04, soc_sigma: 0.02, truncate_sigma: 3 },
    neighbour_W_per_K: 1,
    cells_per_module: 5,
    cell_connection_ohm: 1e-4,
    busbar_ohm: 1e-3,
    init: { soc: 0.6, T_C: 0, h: 0 },
    dt: 0.5,
    steps: Array.from({ length: 800 }, (_, k) => ({
      c: Math.sin(k / 17) * 1.5 - 0.3,
      sink: 5,
      events: k === 400 ? [{ kind: 'shunt' as const, cell: 1, S: 0.2 }] : [],
    })),
  };
}

function build(sc: PackScenario): Pack {
  return new Pack(scenarioConfig(sc, compileChemistry(variantSpec(sc.variant)), 'auto'));
}

function step(p: Pack, sc: PackScenario, k: number): void {
  const st = sc.steps[k]!;
  for (const e of st.events) applyEvent(p, e);
  p.prepare(st.sink);
  p.advance(st.c * p.nominalCapacity_Ah());
}

describe('kernel determinism', () => {
  it('gives bit-identical results for identical packs, whatever else runs in between', () => {
    const a = scenario(7, 3, 'naion-18650-layered', 1);
    const b = scenario(2, 1, 'naion-nvpf-polyanion', 2);
    const alone = build(a);
    for (let k = 0; k < a.steps.length; k++) step(alone, a, k);

    const twin = build(a);
    const other = build(b);
    const third = build(a);
    for (let k = 0; k < a.steps.length; k++) {
      step(other, b, k);
      step(twin, a, k);
      if (k % 2 === 0) step(third, a, k / 2);
    }
    expect(alone.kernel).toBe('wasm');
    const gap = new Gap();
    compareAdvanced(gap, alone, twin, a.steps.length);
    expect(gap.differing, gap.where).toBe(0);
    expect(Array.from(other.z).every(Number.isFinite)).toBe(true);
  });

  it('gives each pack its own memory, sized for it and never grown', () => {
    const small = build(scenario(1, 1, 'naion-18650-layered', 3));
    const large = build(scenario(200, 4, 'naion-prismatic-150ah', 4));
    expect(small.z.buffer).not.toBe(large.z.buffer);
    for (const p of [small, large]) {
      const buf = p.z.buffer;
      for (const a of [
        p.v1,
        p.v2,
        p.h,
        p.T,
        p.capacity_Ah,
        p.rScale,
        p.connected,
        p.shunt_S,
        p.heatCapacity,
        p.hA,
        p.voltage,
        p.current,
        p.terminalCurrent,
        p.heat,
        p.groupVoltage,
      ]) {
        expect(a.buffer).toBe(buf);
      }
    }
    const before = large.z.buffer.byteLength;
    expect(before).toBeLessThan(64 * 1024 * 8); // ~35 arrays of 800 cells: a few pages
    expect(small.z.buffer.byteLength).toBe(64 * 1024);
    const sc = scenario(200, 4, 'naion-prismatic-150ah', 4);
    for (let k = 0; k < 50; k++) step(large, sc, k);
    expect(large.z.buffer.byteLength).toBe(before);
    expect(large.z.length).toBe(800);
  });
});
