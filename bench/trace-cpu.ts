/**
 * CPU time of a page from a Chrome trace (CDP Tracing, via playwright's `browser.startTracing`):
 * the thread time (`tdur`) of the top-level tasks of the page's main thread and of its workers
 * between two marks. Unlike wall time it barely depends on how loaded the machine is (a task
 * waiting for a core costs wall time, not thread time), so figures from a shared machine compare.
 * Not counted: the compositor, raster and GC helper threads, and the browser process.
 *
 * Marks are `console.timeStamp(label)` (a `TimeStamp` event) or `performance.mark(label)` (a
 * `blink.user_timing` event), both on the trace's clock.
 */

/** Trace categories the figures need. */
export const CPU_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

const PAGE_THREADS = new Set(['CrRendererMain', 'DedicatedWorker thread']);
const TASKS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: { name?: string; data?: { message?: string } };
}

export interface CpuTrace {
  /** Trace time (µs) of the first mark with this label; NaN when none. */
  mark(label: string): number;
  /** CPU ms of the page's main thread and its workers in tasks starting within [from, to] (µs). */
  cpu(from: number, to: number): { main_ms: number; worker_ms: number };
}

export function readCpuTrace(json: Buffer | string): CpuTrace {
  const doc = JSON.parse(json.toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(doc) ? doc : doc.traceEvents;
  const threadName = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}/${e.tid}`, e.args?.name ?? '');
  const marks = new Map<string, number>();
  const mark = (label: string, ts: number): void => void (marks.has(label) || marks.set(label, ts));
  // top-level tasks per thread (a task inside another one's span is not counted twice)
  const tasks: { main: boolean; ts: number; end: number; cpu: number }[] = [];
  const lastEnd = new Map<string, number>();
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    if (e.name === 'TimeStamp' && e.args?.data?.message) mark(e.args.data.message, e.ts);
    else if (e.cat?.includes('blink.user_timing')) mark(e.name, e.ts);
    if (e.ph !== 'X' || !TASKS.has(e.name) || e.tdur === undefined) continue;
    const key = `${e.pid}/${e.tid}`;
    const thread = threadName.get(key) ?? '';
    if (!PAGE_THREADS.has(thread) || e.ts < (lastEnd.get(key) ?? -Infinity)) continue;
    lastEnd.set(key, e.ts + (e.dur ?? 0));
    tasks.push({ main: thread === 'CrRendererMain', ts: e.ts, end: e.ts + (e.dur ?? 0), cpu: e.tdur });
  }
  return {
    mark: (label) => marks.get(label) ?? NaN,
    cpu(from, to) {
      let main = 0;
      let worker = 0;
      for (const t of tasks) {
        if (t.ts < from || t.ts > to) continue;
        if (t.main) main += t.cpu;
        else worker += t.cpu;
      }
      return { main_ms: main / 1000, worker_ms: worker / 1000 };
    },
  };
}
