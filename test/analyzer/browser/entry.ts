/**
 * The analyser as the browser test bundles it (analyze.browser.test.ts): bytes in, report out,
 * with the built-in profile and the prismatic 150 Ah chemistry. Node runs this very module too.
 */
import { analyze, type Report } from '../../../analyzer/analyze.ts';
import { builtInProfile } from '../../../analyzer/profile.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import type { ChemistryFile } from '../../../sim/chemistry.ts';
import prismatic from '../../../sim/chemistry/naion-prismatic-150ah.json' with { type: 'json' };

const CHEMISTRY = prismatic as unknown as ChemistryFile;

export function analyzeBytes(bytes: Uint8Array, name: string, today: string): Report {
  const b = timelineFromBytes(bytes);
  return analyze(
    {
      timeline: b.timeline,
      counters: { ...b.counters },
      lateFrames: b.assembler.lateFrames,
      seqLost: b.assembler.seqLost,
      meta: { name, kind: 'capture', bytes: bytes.length },
    },
    { profile: builtInProfile('default'), chemistry: (n) => (n === CHEMISTRY.name ? CHEMISTRY : null), today },
  );
}
