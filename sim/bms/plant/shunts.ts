/**
 * PLANT, not firmware: what sits across each cell's terminals. The pack has one conductance
 * per cell (pack.shunt_S); here it is the sum of the balancing bleed resistor (switched by
 * the firmware through the balancing block) and an injected internal short.
 */
import type { Pack } from '../../pack.ts';

export class CellShunts {
  readonly bleed_S: Float64Array;
  readonly short_S: Float64Array;
  private readonly pack: Pack;

  constructor(pack: Pack) {
    this.pack = pack;
    this.bleed_S = new Float64Array(pack.n);
    this.short_S = new Float64Array(pack.n);
  }

  /** Switch the bleed resistor of group g (bleed_ohm across the group, shared by its cells). */
  setGroupBleed(g: number, on: boolean, bleed_ohm: number): void {
    const np = this.pack.np;
    const G = on ? 1 / (bleed_ohm * np) : 0;
    for (let p = 0, i = g * np; p < np; p++, i++) {
      if (this.bleed_S[i] !== G) {
        this.bleed_S[i] = G;
        this.pack.shunt_S[i] = G + this.short_S[i]!;
      }
    }
  }

  setShort(i: number, conductance_S: number): void {
    this.short_S[i] = conductance_S;
    this.pack.shunt_S[i] = this.bleed_S[i]! + conductance_S;
  }
}
