/** LiveAnalyzer: findings handed out as they appear, each episode once, and the final report. */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/analyze.ts';
import type { Finding } from '../../analyzer/findings.ts';
import { LiveAnalyzer } from '../../analyzer/live.ts';
import { builtInProfile } from '../../analyzer/profile.ts';
import { RULES } from '../../analyzer/rules/index.ts';
import { timelineFromBytes } from '../../analyzer/timeline/ingest.ts';
import { CHEMISTRY, type GenOptions, generateCapture } from './generate.ts';
import { SHORT } from './rules/envelope/sessions.ts';

const ID = 'envelope.cell_voltage';

function options() {
  return {
    profile: builtInProfile('default'),
    rules: RULES.filter((r) => r.id === ID),
    chemistry: (name: string) => (name === CHEMISTRY.name ? CHEMISTRY : null),
    today: '2026-12-03',
  };
}

/** Live analysis of a generated session pushed `chunk` bytes at a time, polled after each push. */
function runLive(g: GenOptions, chunk: number): { handed: Finding[]; final: Finding[]; runs: number; whole: Finding[] } {
  const bytes = generateCapture(g);
  let clock = 0;
  const live = new LiveAnalyzer({ name: 'live', kind: 'live', bytes: 0 }, { ...options(), minInterval_ms: 0, budget: 0, now: () => (clock += 1000) });
  const handed: Finding[] = [];
  for (let p = 0; p < bytes.length; p += chunk) {
    live.push(bytes.subarray(p, p + chunk));
    handed.push(...live.poll());
  }
  const fin = live.finish();
  handed.push(...fin.fresh);
  const b = timelineFromBytes(bytes);
  const whole = analyze(
    {
      timeline: b.timeline,
      counters: b.counters,
      lateFrames: b.assembler.lateFrames,
      seqLost: b.assembler.seqLost,
      meta: { name: 'live', kind: 'live', bytes: 0 },
    },
    options(),
  ).findings;
  return { handed, final: fin.report.findings, runs: live.runs, whole };
}

describe('LiveAnalyzer', () => {
  // cells 0-5 go over the RSL one a second after another from 10 s, cell 0 on to the MSL at 17 s:
  // while it is still in the RSL the group starts with it (10 s), afterwards with cell 1 (11 s),
  // a new id for what is the same episode of the same cells
  const gen: GenOptions = {
    phases: SHORT,
    ns: 12,
    mutate: (k) => {
      for (let c = 0; c < 6; c++) if (k.t_s >= 10 + c && k.t_s < 25) k.cellVoltage_V[c] = c === 0 && k.t_s >= 17 ? 4.12 : 4.07;
    },
  };

  it('should hand out a group once though its start moved, and a cell again when it reached a higher tier', () => {
    const { handed, final, runs, whole } = runLive(gen, 2000);
    expect(runs).toBeGreaterThan(10);
    // the final report is the whole capture's; the group in it starts with cell 1
    expect(final).toEqual(whole);
    expect(final.map((f) => `${f.subject} ${f.severity}`)).toEqual(['cell 0 error', 'cells warning']);
    expect(final[1]!.evidence.first_subject).toBe('cell 1');
    // handed out: cells 0-2 while fewer than four were over, the group once (as first seen, from
    // cell 0), and cell 0 again when its episode reached the MSL (the same id, now an error)
    expect(handed.map((f) => `${f.subject} ${f.severity} ${f.evidence.first_subject ?? ''}`.trim())).toEqual([
      'cell 0 warning',
      'cell 1 warning',
      'cell 2 warning',
      'cells warning cell 0',
      'cell 0 error',
    ]);
  });

  it('should hand out episodes of one cell apart in time each', () => {
    const { handed } = runLive(
      {
        phases: SHORT,
        ns: 8,
        mutate: (k) => {
          if ((k.t_s >= 10 && k.t_s < 14) || (k.t_s >= 30 && k.t_s < 34)) k.cellVoltage_V[3] = 4.07;
        },
      },
      4000,
    );
    expect(handed.map((f) => `${f.subject} ${Math.round(f.t_start_s)}`)).toEqual(['cell 3 10', 'cell 3 30']);
  });
});
