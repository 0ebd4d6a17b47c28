/**
 * State of energy (the only writer of the soe block): the energy left in the pack from the
 * average SOC, integrating the OCV from SOC 0 (at T_ref, over the estimated capacity).
 */
import { SocBlock, SoeBlock, SohBlock, type Database } from './database.ts';
import type { CellModel } from './internal/cellModel.ts';

export class Soe {
  private readonly out = new SoeBlock();
  private readonly soc = new SocBlock();
  private readonly soh = new SohBlock();
  private readonly full_Wh: number;

  constructor(
    private readonly model: CellModel,
    private readonly cells: number,
  ) {
    this.full_Wh = model.energyTo_Wh(1);
  }

  slow(db: Database): void {
    const z = db.read(this.soc).avg;
    const k = db.read(this.soh).soh;
    const e = this.model.energyTo_Wh(z);
    this.out.energy_Wh = e * k * this.cells;
    this.out.soe = this.full_Wh > 0 ? e / this.full_Wh : NaN;
    db.write(this.out, 'soe');
  }
}
