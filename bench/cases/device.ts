/**
 * emulate-events-24h (issue 9 §8): a 24 h `emulate --mock` session (the emulator at speed 'max'
 * on the in-process mock port, the 8s1p rest fixture of test/device, periodic telemetry off)
 * with a host link loss injected and removed every minute of device time: 1440 toggles. Checks
 * that every raise and clear of the BMS's diagnosis arrived as an EVENT frame, with no frame
 * missing, and reports the CPU and wall time (one run; the BMS's 8.64 million fast ticks
 * dominate). `ok` is 1 when every EVENT arrived.
 */
import { eventSoak } from '../../test/device/node/event-soak.ts';
import type { BenchCase } from '../case.ts';

const DAY_s = 86400;
const PERIOD_s = 60;

export const cases: BenchCase[] = [
  {
    name: 'emulate-events-24h',
    async run() {
      const r = await eventSoak({ duration_s: DAY_s, period_s: PERIOD_s, mockPath: '/dev/natrium-bench-events' });
      const ok = r.events === r.transitions && r.transitions >= 2 * r.toggles && r.seqMissing + r.damaged + r.txDropped + r.nacks === 0;
      return {
        device_s: r.device_s,
        toggles: r.toggles,
        transitions: r.transitions,
        events: r.events,
        seq_missing: r.seqMissing,
        damaged: r.damaged,
        tx_dropped: r.txDropped,
        nacks: r.nacks,
        ok: ok ? 1 : 0,
        cpu_s: Number(r.cpu_s.toFixed(2)),
        wall_s: Number(r.wall_s.toFixed(2)),
      };
    },
  },
];
