/**
 * The trace seam of the runner: which steps are recorded (k = 0, every, 2·every, …; the first
 * row is t = 0) and the StepView a recorder sees, with the cells' SOC and temperature at the
 * start of the step kept aside before the pack advances. Allocates nothing per step.
 */
import type { BmsHooks } from '../bms/interface.ts';
import type { Pack } from '../pack.ts';
import type { Scenario } from '../scenario.ts';
import type { Ledger } from './ledger.ts';
import type { StepView } from './types.ts';

export class Recorder {
  private readonly z: Float64Array;
  private readonly T: Float64Array;
  private soc = 0;

  constructor(
    private readonly sc: Scenario,
    private readonly pack: Pack,
    private readonly bms: BmsHooks | null,
    private readonly every: number,
    private readonly onRecord: ((view: StepView) => void) | undefined,
  ) {
    this.z = new Float64Array(pack.n);
    this.T = new Float64Array(pack.n);
  }

  /** Before step k: whether it is recorded, and if so the state at its start kept aside. */
  before(k: number, ledger: Ledger): boolean {
    const record = this.onRecord !== undefined && k % this.every === 0;
    if (record) {
      this.z.set(this.pack.z);
      this.T.set(this.pack.T);
      this.soc = ledger.packSoc();
    }
    return record;
  }

  /** After a recorded step that began at t0: the view to the recorder. */
  emit(t0: number): void {
    this.onRecord!({
      t_s: t0,
      pack: this.pack,
      z: this.z,
      T_C: this.T,
      ambient_C: this.sc.ambient.at(t0 + this.sc.start_time_h * 3600),
      soc: this.soc,
      bms: this.bms ? this.bms.traceRow() : null,
    });
  }
}
