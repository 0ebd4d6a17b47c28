/**
 * The viewer's worker: decodes and analyses an opened file with the protocol/ and analyzer/ core
 * (engine/load.ts), keeps its Session, and answers the page's queries (messages.ts), so the page
 * never holds the columns and never blocks while a day-long log is read.
 */
import type { Report } from '../../analyzer/analyze.ts';
import configJson from '../config.json' with { type: 'json' };
import { type ViewerConfig, parseViewerConfig } from './engine/columns.ts';
import { type Loaded, loadBytes } from './engine/load.ts';
import { Session } from './engine/session.ts';
import { LiveWindow } from './engine/live.ts';
import type { Answer, Envelope, Request } from './messages.ts';

const config: ViewerConfig = parseViewerConfig(configJson);
let session: Session | null = null;
let pending: Loaded | null = null;
let live: LiveWindow | null = null;
/** The live window changed since `session` was made over it. */
let liveDirty = false;

function reply(id: number, a: Answer, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage({ ...a, id }, transfer);
}

function handle(req: Request): [Answer, Transferable[]] {
  switch (req.type) {
    case 'open': {
      const s = performance.now();
      const loaded = loadBytes(new Uint8Array(req.bytes), req.name, undefined, config.first_paint_bytes);
      if (loaded.kind === 'report') {
        // a report names findings; the open log (if any) stays
        return [{ type: 'opened', summary: null, report: loaded.report, timing: { load_ms: performance.now() - s } }, []];
      }
      pending = loaded;
      session = new Session(loaded.timeline, config, loaded.kind, req.name, loaded.chemistry, loaded.fallbackInfo);
      return [{ type: 'opened', summary: session.summary(), report: null, timing: { load_ms: performance.now() - s } }, []];
    }
    case 'rest': {
      if (pending === null || pending.kind === 'report') throw new Error('no log is open');
      const s = performance.now();
      if (!pending.rest()) return [{ type: 'rest', summary: null, timing: { rest_ms: 0 } }, []];
      session = new Session(pending.timeline, config, pending.kind, session?.name ?? '', pending.chemistry, pending.fallbackInfo);
      return [{ type: 'rest', summary: session.summary(), timing: { rest_ms: performance.now() - s } }, []];
    }
    case 'report': {
      const s = performance.now();
      const report: Report | null = pending && pending.kind !== 'report' ? pending.analyze() : null;
      return [{ type: 'report', report, timing: { analyze_ms: performance.now() - s } }, []];
    }
    case 'live': {
      if (live === null || live.window_s !== req.window_s) live = new LiveWindow(req.window_s);
      live.push(new Uint8Array(req.frames));
      liveDirty = true;
      return [{ type: 'live', summary: liveSession(live).summary(), origin_s: live.origin_s, columnBytes: live.columnBytes }, []];
    }
    case 'live-clear':
      live?.clear();
      liveDirty = true;
      return [{ type: 'live-clear' }, []];
    default:
      break;
  }
  if (live && liveDirty) liveSession(live);
  const ss = session;
  if (ss === null) throw new Error('no log is open');
  switch (req.type) {
    case 'view': {
      const s = performance.now();
      const lines = req.lines.map((q) => ss.plot(q));
      const heats = req.heats.map((q) => ss.heat(q));
      const transfer: Transferable[] = [];
      for (const d of lines) transfer.push(d.x.buffer, ...d.y.map((y) => y.buffer));
      for (const h of heats) transfer.push(h.values.buffer, h.x0.buffer, h.x1.buffer, h.gaps.buffer);
      return [{ type: 'view', lines, heats, worker_ms: performance.now() - s }, transfer];
    }
    case 'stats':
      return [{ type: 'stats', stats: ss.stats(req.t0, req.t1, req.ids) }, []];
    case 'hottest':
      return [{ type: 'hottest', hottest: ss.hottestIn(req.t0, req.t1, req.n) }, []];
    case 'at':
      return [{ type: 'at', ...ss.at(req.t, req.ids) }, []];
    case 'csv':
      return [{ type: 'csv', text: ss.csv(req.t0, req.t1) }, []];
    default:
      throw new Error(`unknown request ${(req as { type: string }).type}`);
  }
}

/** A Session over the live window as it is now (pyramids are built for what is in it). */
function liveSession(w: LiveWindow): Session {
  if (liveDirty || session === null) {
    session = new Session(w.timeline, config, 'live', 'live', null);
    liveDirty = false;
  }
  return session;
}

self.onmessage = (e: MessageEvent<Envelope<Request>>) => {
  const { id } = e.data;
  try {
    const [answer, transfer] = handle(e.data);
    reply(id, answer, transfer);
  } catch (err) {
    reply(id, { type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
