/** analyzer/REPORT.md is the report's contract: it lists every check, and every profile key exists. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInProfile, BUILT_IN_PROFILES } from '../../analyzer/profile.ts';
import { RULES } from '../../analyzer/rules/index.ts';
import { analyzeGenerated } from './harness.ts';

const doc = readFileSync(new URL('../../analyzer/REPORT.md', import.meta.url), 'utf8');

describe('REPORT.md', () => {
  it('should list every check with its id, once', () => {
    for (const r of RULES) expect(doc.split(`| \`${r.id}\` |`).length - 1, r.id).toBe(1);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('should describe every top-level field of a real report', () => {
    const report = analyzeGenerated({ phases: [{ current_A: -50, duration_s: 30, state: 'NORMAL' }] });
    for (const k of Object.keys(report)) expect(doc, k).toContain(`"${k}"`);
    for (const k of Object.keys(report.input)) expect(doc, `input.${k}`).toContain(`"${k}"`);
    for (const k of Object.keys(report.result)) expect(doc, `result.${k}`).toContain(`"${k}"`);
  });

  it('should have every built-in profile load, with a source for each value', () => {
    for (const name of BUILT_IN_PROFILES) {
      const p = builtInProfile(name);
      expect(p.keys().length).toBeGreaterThan(100);
      for (const k of p.keys()) expect(p.source(k), k).not.toBe('');
      // every check has its thresholds in the profile
      for (const r of RULES)
        expect(
          p.keys().some((k) => k.startsWith(`${r.id}.`)),
          `${name}: ${r.id}`,
        ).toBe(true);
    }
  });
});
