/** The page's side of the worker: one promise per request (messages.ts). */
import type { Answer, Envelope, Request } from '../messages.ts';

export class WorkerClient {
  private next = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<Envelope<Answer>>) => {
      const done = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      done?.(e.data);
    };
  }

  /** Sends a request; resolves with the answer of the type asked for, rejects on an error answer. */
  call<T extends Answer['type']>(req: Request, transfer: Transferable[] = []): Promise<Extract<Answer, { type: T }>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (a) => (a.type === 'error' ? reject(new Error(a.message)) : resolve(a as Extract<Answer, { type: T }>)));
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }
}
