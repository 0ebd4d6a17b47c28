import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '../../../sim/errors.ts';
import {
  GRAVITY_m_per_s2,
  type SpeedTrace,
  type Vehicle,
  VEHICLES,
  batteryPowerProfile,
  cycleEnergy,
  energyPerKm_Wh,
  readVehicle,
} from '../../../sim/load/vehicle.ts';
import { loadCycle, loadVehicle } from '../../../sim/node/load.ts';

const BASE = {
  name: 'test',
  description: 'test vehicle',
  sources: ['EST'],
  mass_kg: 1000,
  rotating_mass_factor: 1.05,
  CdA_m2: 0.6,
  rolling_resistance_coefficient: 0.01,
  air_density_kg_per_m3: 1.2,
  drivetrain_efficiency: 0.9,
  regen_efficiency: 0.8,
  regen_fraction: 0.5,
  regen_limit_W: 20_000,
  aux_power_W: 300,
};

const vehicle = (over: Record<string, unknown> = {}): Vehicle => readVehicle('v.json', { ...BASE, ...over });
const trace = (time_s: number[], speed_kmh: number[]): SpeedTrace => ({
  time_s: Float64Array.from(time_s),
  speed_kmh: Float64Array.from(speed_kmh),
});

describe('vehicle presets', () => {
  it('should put the compact car on WLTC class 3b at 120-220 Wh/km', () => {
    const whPerKm = energyPerKm_Wh(loadVehicle('compact-car'), loadCycle('wltc-class3b'));
    console.log(`compact-car on wltc-class3b: ${whPerKm.toFixed(1)} Wh/km (net battery energy out)`);
    expect(whPerKm).toBeGreaterThanOrEqual(120);
    expect(whPerKm).toBeLessThanOrEqual(220);
  });

  it.each(VEHICLES)('should keep %s within the consumption range its file states', (name) => {
    const v = loadVehicle(name);
    expect(v.name).toBe(name);
    expect(v.description.length).toBeGreaterThan(0);
    expect(v.sources.length).toBeGreaterThan(0);
    const ref = v.reference_cycle;
    expect(ref).toBeDefined();
    const whPerKm = energyPerKm_Wh(v, loadCycle(ref!.cycle));
    console.log(`${name} on ${ref!.cycle}: ${whPerKm.toFixed(1)} Wh/km (stated range ${ref!.min_Wh_per_km}-${ref!.max_Wh_per_km})`);
    expect(whPerKm).toBeGreaterThanOrEqual(ref!.min_Wh_per_km);
    expect(whPerKm).toBeLessThanOrEqual(ref!.max_Wh_per_km);
  });

  it('should give each preset numbers in its stated class', () => {
    const car = loadVehicle('compact-car');
    expect(car.mass_kg).toBeGreaterThanOrEqual(1500);
    expect(car.mass_kg).toBeLessThanOrEqual(1650);
    expect(car.CdA_m2).toBeGreaterThanOrEqual(0.6);
    expect(car.CdA_m2).toBeLessThanOrEqual(0.7);
    const w3 = loadVehicle('three-wheeler');
    expect(w3.mass_kg).toBeGreaterThanOrEqual(600);
    expect(w3.mass_kg).toBeLessThanOrEqual(750);
    const scooter = loadVehicle('scooter');
    expect(scooter.CdA_m2).toBeCloseTo(0.9 * 0.6, 12); // given as Cd and frontal area
    expect(scooter.mass_kg).toBeCloseTo(180, 0);
  });
});

describe('batteryPowerProfile', () => {
  it('should draw only the auxiliary load at zero speed', () => {
    const v = vehicle({ road_grade_pct: 5 });
    const p = batteryPowerProfile(v, trace([0, 1, 2, 5], [0, 0, 0, 0]));
    expect([...p.time_s]).toEqual([0, 1, 2, 5]);
    expect([...p.power_W]).toEqual([-300, -300, -300, -300]);
    const e = cycleEnergy(v, trace([0, 1, 2, 5], [0, 0, 0, 0]));
    expect(e.traction_Wh).toBe(0);
    expect(e.regen_Wh).toBe(0);
    expect(e.aux_Wh).toBeCloseTo((300 * 5) / 3600, 12);
    expect(() => energyPerKm_Wh(v, trace([0, 1], [0, 0]))).toThrow(RangeError);
  });

  it('should match the road-load equation at constant speed', () => {
    const v = vehicle();
    const speed_ms = 20;
    const p = batteryPowerProfile(v, trace([0, 1, 2], [72, 72, 72])).power_W;
    const wheel_W = (1000 * GRAVITY_m_per_s2 * 0.01 + 0.5 * 1.2 * 0.6 * speed_ms ** 2) * speed_ms;
    expect(p[0]).toBeCloseTo(-(wheel_W / 0.9 + 300), 9);
    expect(p[1]).toBeCloseTo(p[0]!, 12);
    expect(p[2]).toBe(p[1]); // the last entry repeats the one before
  });

  it('should add the grade force uphill and recover energy downhill', () => {
    const flat = batteryPowerProfile(vehicle(), trace([0, 1], [36, 36])).power_W[0]!;
    const up = batteryPowerProfile(vehicle({ road_grade_pct: 10 }), trace([0, 1], [36, 36])).power_W[0]!;
    const theta = Math.atan(0.1);
    const extra_W = 1000 * GRAVITY_m_per_s2 * (Math.sin(theta) + 0.01 * (Math.cos(theta) - 1)) * 10;
    expect(flat - up).toBeCloseTo(extra_W / 0.9, 6);
    const down = batteryPowerProfile(vehicle({ road_grade_pct: -10, aux_power_W: 0 }), trace([0, 1], [36, 36])).power_W[0]!;
    expect(down).toBeGreaterThan(0); // charging
  });

  it('should put the exact kinetic energy into an acceleration (no losses but the drivetrain)', () => {
    const v = vehicle({ CdA_m2: 1e-12, rolling_resistance_coefficient: 0, aux_power_W: 0 });
    const times = Array.from({ length: 11 }, (_, i) => i);
    const e = cycleEnergy(
      v,
      trace(
        times,
        times.map((i) => 10 * i),
      ),
    ); // 0 → 100 km/h in 10 s
    const ke_J = 0.5 * 1000 * 1.05 * (100 / 3.6) ** 2;
    expect(e.traction_Wh).toBeCloseTo(ke_J / 0.9 / 3600, 3);
  });

  it('should charge when braking, by regen fraction × regen efficiency, capped by the limit', () => {
    const v = vehicle({ CdA_m2: 1e-12, rolling_resistance_coefficient: 0 });
    // 36 → 0 km/h in 1 s: wheel power −m·f·a·v = −1050·10·5 = −52.5 kW
    const hard = batteryPowerProfile(v, trace([0, 1], [36, 0])).power_W[0]!;
    expect(hard).toBeCloseTo(20_000 - 300, 6);
    // 36 → 0 km/h in 10 s: −1050·1·5 = −5.25 kW → 5250·0.5·0.8 = 2100 W
    const gentle = batteryPowerProfile(v, trace([0, 10], [36, 0])).power_W[0]!;
    expect(gentle).toBeCloseTo(2100 - 300, 3);
  });

  it('should use each interval of a non-uniform time grid', () => {
    const v = vehicle();
    const a = batteryPowerProfile(v, trace([0, 2], [0, 20])).power_W[0]!;
    const b = batteryPowerProfile(v, trace([0, 1, 2], [0, 10, 20])).power_W;
    expect(b[0]!).toBeGreaterThan(a); // less traction power in the first, slower half
    expect(b[1]!).toBeLessThan(a);
  });
});

describe('readVehicle / loadVehicle: errors', () => {
  const BAD: [Record<string, unknown>, string][] = [
    [{ CdA_m2: undefined }, 'v.json: CdA_m2: missing: give CdA_m2, or Cd with frontal_area_m2'],
    [{ Cd: 0.3, frontal_area_m2: 2 }, 'v.json: CdA_m2: give either CdA_m2 or Cd with frontal_area_m2, not both'],
    [{ CdA_m2: undefined, Cd: 0.3 }, 'v.json: frontal_area_m2: missing'],
    [{ drivetrain_efficiency: 1.2 }, 'v.json: drivetrain_efficiency: must be <= 1, got 1.2'],
    [{ rotating_mass_factor: 0.9 }, 'v.json: rotating_mass_factor: must be >= 1, got 0.9'],
    [{ mass_kg: '1500' }, 'v.json: mass_kg: expected a finite number, got "1500"'],
    [{ regen_limit_W: -1 }, 'v.json: regen_limit_W: must be >= 0, got -1'],
    [{ mass: 1500 }, 'v.json: mass: unknown field'],
    [{ sources: [] }, 'v.json: sources: must name at least one source'],
    [{ road_grade_pct: 45 }, 'v.json: road_grade_pct: must be <= 30, got 45'],
    [{ reference_cycle: { cycle: 'nedc', min_Wh_per_km: 1, max_Wh_per_km: 2, note: 'x' } }, 'v.json: reference_cycle.cycle: must be one of'],
  ];

  it.each(BAD)('should reject %j', (over, message) => {
    expect(() => vehicle(over)).toThrow(InputError);
    expect(() => vehicle(over)).toThrow(message);
  });

  it('should load a vehicle file by path and name a missing or broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'natrium-vehicle-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const good = join(dir, 'van.json');
    writeFileSync(good, JSON.stringify({ ...BASE, name: 'van' }));
    expect(loadVehicle(good).name).toBe('van');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "name": ');
    expect(() => loadVehicle(broken)).toThrow(`${broken}: (syntax): not valid JSON`);
    expect(() => loadVehicle(join(dir, 'none.json'))).toThrow(/none\.json: \(file\): no such file \(presets: compact-car, three-wheeler, scooter\)/);
  });
});

// Arbitraries. Values are spread uniformly over each range (a plain fc.double crowds near 0).
const uniform = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 1_000_000 }).map((k) => min + ((max - min) * k) / 1_000_000);

const vehicleArb: fc.Arbitrary<Vehicle> = fc
  .record({
    mass_kg: uniform(50, 5000),
    rotating_mass_factor: uniform(1, 1.2),
    CdA_m2: uniform(0.1, 2),
    rolling_resistance_coefficient: uniform(0, 0.03),
    drivetrain_efficiency: uniform(0.5, 1),
    regen_efficiency: uniform(0, 1),
    regen_fraction: uniform(0, 1),
    regen_limit_W: uniform(0, 100_000),
    aux_power_W: uniform(0, 2000),
    road_grade_pct: uniform(0, 15),
  })
  .map((over) => vehicle(over));

/** Speed traces that start and end at rest, on a non-uniform time grid. */
const restToRest: fc.Arbitrary<SpeedTrace> = fc
  .array(fc.record({ dt_s: uniform(0.2, 5), speed_kmh: fc.oneof(fc.constant(0), uniform(0, 150)) }), {
    minLength: 1,
    maxLength: 40,
  })
  .map((points) => {
    const time_s = [0];
    const speed_kmh = [0];
    for (const p of points) {
      time_s.push(time_s[time_s.length - 1]! + p.dt_s);
      speed_kmh.push(p.speed_kmh);
    }
    time_s.push(time_s[time_s.length - 1]! + 1);
    speed_kmh.push(0);
    return trace(time_s, speed_kmh);
  });

describe('vehicle model: properties', () => {
  // for all vehicles on flat or uphill roads, rest-to-rest traces and extra mass Δm >= 0
  // such that the heavier vehicle differs only in mass / its traction energy is not lower
  it('should never lower the traction energy when the mass grows', () => {
    fc.assert(
      fc.property(vehicleArb, restToRest, uniform(0, 3000), (v, cycle, extra_kg) => {
        const light = cycleEnergy(v, cycle).traction_Wh;
        const heavy = cycleEnergy({ ...v, mass_kg: v.mass_kg + extra_kg }, cycle).traction_Wh;
        expect(heavy).toBeGreaterThanOrEqual(light * (1 - 1e-9) - 1e-9);
      }),
    );
  });

  // for all vehicles and traces / every charging power from regeneration, before the aux load, stays within the limit
  it('should never regenerate more than the limit', () => {
    fc.assert(
      fc.property(vehicleArb, restToRest, (v, cycle) => {
        const { power_W } = batteryPowerProfile(v, cycle);
        for (let i = 0; i < power_W.length; i++) {
          expect(power_W[i]! + v.aux_power_W).toBeLessThanOrEqual(v.regen_limit_W * (1 + 1e-12) + 1e-9);
        }
        expect(cycleEnergy(v, cycle).regen_Wh).toBeLessThanOrEqual((v.regen_limit_W * (cycle.time_s.at(-1)! - cycle.time_s[0]!)) / 3600 + 1e-9);
      }),
    );
  });

  // for all vehicles and traces / the profile integrates to minus the net energy of cycleEnergy
  it('should agree between the power profile and the energy balance', () => {
    fc.assert(
      fc.property(vehicleArb, restToRest, (v, cycle) => {
        const { time_s, power_W } = batteryPowerProfile(v, cycle);
        let in_J = 0;
        for (let i = 0; i + 1 < time_s.length; i++) in_J += power_W[i]! * (time_s[i + 1]! - time_s[i]!);
        const e = cycleEnergy(v, cycle);
        expect(-in_J / 3600).toBeCloseTo(e.net_Wh, 6);
        expect(e.net_Wh).toBeCloseTo(e.traction_Wh + e.aux_Wh - e.regen_Wh, 9);
      }),
    );
  });
});
