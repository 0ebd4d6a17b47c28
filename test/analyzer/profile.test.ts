/** Profiles and waivers: validation, inheritance, overrides with their source, waiver matching. */
import { describe, expect, it } from 'vitest';
import { KEY_KINDS, ProfileError, builtInProfile, keyKind, parseProfile } from '../../analyzer/profile.ts';
import { WaiverError, applyWaivers, parseWaivers } from '../../analyzer/waivers.ts';
import { finding } from '../../analyzer/findings.ts';

describe('profiles', () => {
  it('should inherit from a built-in profile and name the source of each value', () => {
    const p = parseProfile({
      schema: 'natrium.profile/1',
      name: 'rig3',
      extends: 'default',
      checks: { 'quality.frame_loss': { warning_pct: 0.5 } },
      sources: { 'quality.frame_loss.warning_pct': 'rig 3 spec' },
    });
    expect(p.threshold('quality.frame_loss.warning_pct', '%')).toEqual({ value: 0.5, unit: '%', source: 'rig 3 spec' });
    const base = builtInProfile('default');
    expect(p.keys()).toEqual(base.keys());
    p.override('quality.frame_loss.warning_pct=1.5');
    expect(p.threshold('quality.frame_loss.warning_pct', '%').source).toBe('CLI override');
    expect(() => p.override('quality.frame_loss.nope=1')).toThrow(ProfileError);
    expect(() => p.override('quality.frame_loss.warning_pct=abc')).toThrow(/takes a number/);
    expect(() => p.override('quality.frame_loss.warning_pct=')).toThrow(/takes a number, got ""/);
    expect(() => p.override('quality.frame_loss.warning_pct= ')).toThrow(/takes a number/);
    expect(() => p.override('reaction.contactors.pack_step_s=-1')).toThrow(/pack_step_s is a duration in seconds, got -1/);
    p.override('reaction.contactors.pack_step_s=2');
    expect(p.num('reaction.contactors.pack_step_s')).toBe(2);
  });

  it.each([
    [{ schema: 'x', name: 'a', checks: {} }, 'schema'],
    [{ schema: 'natrium.profile/1', name: '', checks: {} }, 'name'],
    [{ schema: 'natrium.profile/1', name: 'a', checks: {}, extra: 1 }, 'extra'],
    [{ schema: 'natrium.profile/1', name: 'a', extends: 'nope', checks: {} }, 'extends'],
    [{ schema: 'natrium.profile/1', name: 'a', checks: { c: { k: [1] } } }, 'checks.c.k'],
    [{ schema: 'natrium.profile/1', name: 'a', checks: {}, sources: { 'c.k': 'x' } }, 'sources.c.k'],
    [{ schema: 'natrium.profile/1', name: 'a', checks: { c: { grace_s: -1 } } }, 'checks.c.grace_s'],
    ['{not json', '(file)'],
  ])('should reject a bad profile naming the field (%#)', (value, field) => {
    try {
      parseProfile(value);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProfileError);
      expect((e as ProfileError).field).toBe(field);
    }
  });

  // absurd values per key kind, from --set and from a profile file alike: one message naming key, value and bound
  it.each([
    ['reaction.contactors.pack_step_s', '1e30', 'a duration in seconds, got 1e+30 (must be <= 2592000)'],
    ['cells.balancing.long_active_h', '1e6', 'a duration in hours, got 1000000 (must be <= 720)'],
    ['cells.spread.warning_V', '5000', 'a cell voltage in V, got 5000 (must be <= 10)'],
    ['reaction.sop.tolerance_A', '1e30', 'a current in A, got 1e+30 (must be <= 10000)'],
    ['quality.nonphysical.temperature_min_C', '-1e30', 'a temperature in °C, got -1e+30 (must be >= -273.15)'],
    ['reaction.contactors.open_current_C', '1e9', 'a C-rate, got 1000000000 (must be <= 100)'],
    ['thermal.spread.warning_K', '1e30', 'a temperature difference in K, got 1e+30 (must be <= 1000)'],
    ['quality.frame_loss.warning_pct', '1e30', 'a percentage, got 1e+30 (must be <= 100)'],
    ['quality.nonphysical.soc_max', '50', 'an SOC or SOH fraction, got 50 (must be <= 2)'],
    ['quality.sampling.pack_status_min_Hz', '1e30', 'a rate in Hz, got 1e+30 (must be <= 10000)'],
    ['summary.energy.efficiency_min_Ah', '1e30', 'a charge in Ah, got 1e+30 (must be <= 100000)'],
    ['quality.frame_loss.max_findings', '1e30', 'a count, got 1e+30 (must be <= 1000000)'],
    ['reaction.bms_alarms.fatal_tier_severity', '1e30', 'a severity tier, got 1e+30 (must be <= 10)'],
    ['thermal.rate.min_coverage', '2', 'a fraction, got 2 (must be <= 1)'],
    ['quality.time.gap_factor', '1e30', 'a factor or ratio, got 1e+30 (must be <= 1000)'],
    ['thermal.rate.error_short_K_per_min', '1e30', 'a temperature rate, got 1e+30 (must be <= 1000)'],
    ['cells.spread.trend_warning_mV_per_h', '1e30', 'a cell-voltage rate in mV, got 1e+30 (must be <= 5000)'],
    ['cells.balancing.max_slope_V_per_h', '1e30', 'a cell-voltage rate in V, got 1e+30 (must be <= 5)'],
    ['soc.coulomb_drift.max_pct_per_h', '1e30', 'an SOC rate in % per hour, got 1e+30 (must be <= 100)'],
  ])('should refuse %s=%s beyond its kind', (key, raw, says) => {
    const p = builtInProfile('default');
    expect(() => p.override(`${key}=${raw}`)).toThrow(`${key} is ${says}`);
    const [check, name] = [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)];
    try {
      parseProfile({ schema: 'natrium.profile/1', name: 'x', extends: 'default', checks: { [check]: { [name]: Number(raw) } } });
      expect.unreachable();
    } catch (e) {
      expect((e as ProfileError).field).toBe(`checks.${key}`);
      expect((e as ProfileError).message).toBe(`checks.${key}: ${says}`);
    }
  });

  it('should give every built-in numeric key a kind of its own, its value inside the bounds', () => {
    const fallback = KEY_KINDS[KEY_KINDS.length - 1];
    const p = builtInProfile('default');
    // only the two switches (not numbers, never bounded) fall through to the catch-all
    expect(p.keys().filter((k) => keyKind(k) === fallback)).toEqual(['quality.na.ignore_init', 'reaction.gb38031_thermal_runaway.missed_is_error']);
    for (const n of ['gb38031', 'lab']) expect(() => builtInProfile(n)).not.toThrow();
    p.override('reaction.contactors.pack_step_s=2592000');
    p.override('quality.frame_loss.warning_pct=100');
  });

  it('should make gb38031 and lab differ from default only where they say', () => {
    const d = builtInProfile('default');
    const g = builtInProfile('gb38031');
    expect(g.keys()).toEqual(d.keys());
    expect(d.flag('reaction.gb38031_thermal_runaway.missed_is_error')).toBe(false);
    expect(g.flag('reaction.gb38031_thermal_runaway.missed_is_error')).toBe(true);
    const l = builtInProfile('lab');
    expect(l.num('quality.frame_loss.warning_pct')).toBe(0);
    expect(d.num('quality.frame_loss.warning_pct')).toBeGreaterThan(0);
  });
});

describe('waivers', () => {
  const f = (check: string, subject: string, t0: number, t1: number) =>
    finding({ check, subject, severity: 'warning', t_start_s: t0, t_end_s: t1, message: 'm', evidence: {}, threshold: null });

  it('should waive what every given field matches, and report expired waivers', () => {
    const ws = parseWaivers({
      schema: 'natrium.waivers/1',
      waivers: [
        { check: 'quality.*', subject: 'CELL_VOLTAGES', reason: 'rig noise' },
        { check: 'cells.outliers', from_s: 100, to_s: 200, reason: 'assembly' },
        { check: 'thermal.rate', reason: 'old', expires: '2020-01-01' },
      ],
    });
    const fs = [
      f('quality.frame_loss', 'CELL_VOLTAGES', 0, 10),
      f('quality.frame_loss', 'PACK_STATUS', 0, 10),
      f('cells.outliers', 'cell 3', 150, 300),
      f('cells.outliers', 'cell 3', 250, 300),
      f('thermal.rate', 'sensor 1', 0, 1),
    ];
    const expired = applyWaivers(fs, ws, '2026-12-03');
    expect(fs.map((x) => x.waived ?? null)).toEqual(['rig noise', null, 'assembly', null, null]);
    expect(expired.map((w) => w.check)).toEqual(['thermal.rate']);
  });

  it.each([
    [{ schema: 'natrium.waivers/1', waivers: [{ check: 'a' }] }, 'waivers[0].reason'],
    [{ schema: 'natrium.waivers/1', waivers: [{ check: 'a', reason: 'r', from_s: 'x' }] }, 'waivers[0].from_s'],
    [{ schema: 'natrium.waivers/1', waivers: [{ check: 'a', reason: 'r', expires: '1/2/2027' }] }, 'waivers[0].expires'],
    [{ schema: 'natrium.waivers/1', waivers: [{ check: 'a', reason: 'r', typo: 1 }] }, 'waivers[0].typo'],
    [{ waivers: [] }, 'schema'],
  ])('should reject a bad waiver file naming the field (%#)', (value, field) => {
    try {
      parseWaivers(value);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WaiverError);
      expect((e as WaiverError).field).toBe(field);
    }
  });
});
