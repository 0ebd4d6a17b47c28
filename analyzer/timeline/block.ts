/**
 * A family of Float32 columns (the cell voltages, the temperatures) in one buffer: column k is
 * rows [k·capacity, (k+1)·capacity) of `data`, and `columns[k]` is a view of it, an ordinary
 * Float32Array a reader (a rule, uPlot, an exporter) uses like any other.
 *
 * One buffer instead of one array per column is for the writer: storing row r of column k is
 * `data[k * capacity + r]`, one array whose base and bounds the engine keeps in registers across
 * a row of 100 cells, instead of a load of each column's array first (a row of 100 values stored
 * at 4.3 instead of 6.4 ns a value on Node 20 in a micro-benchmark). New rows and new columns
 * hold NaN.
 *
 * The capacity is kept odd. A row's values lie `capacity` floats apart, and with an even
 * capacity they fall on few of the L1 cache's sets: at a power of two (what doubling from 1024
 * gives, for every input of unknown size) all 100 columns of a row share one set, and storing a
 * value took 10.8 instead of 1.4 ns in a micro-benchmark (864k rows × 100 columns, EPYC).
 */
type F32 = Float32Array<ArrayBuffer>;

export class ColumnBlock {
  /** capacity × columns.length values, column after column. */
  data: F32 = new Float32Array(0);
  /** Rows each column has room for. */
  capacity = 0;
  /** One view per column (replaced, not changed, when the block grows). */
  columns: F32[] = [];

  /** Room for `cap` rows (rows kept, new ones NaN). */
  grow(cap: number): void {
    if (cap <= this.capacity) return;
    this.resize(cap, this.columns.length);
  }

  /** At least `n` columns (new ones NaN in every row). */
  ensure(n: number): void {
    if (n <= this.columns.length) return;
    this.resize(this.capacity, n);
  }

  private resize(want: number, n: number): void {
    const cap = want | 1;
    const old = this.data;
    const oldCap = this.capacity;
    const nOld = this.columns.length;
    const data = new Float32Array(cap * n);
    data.fill(NaN);
    if (oldCap === cap) data.set(old);
    else for (let k = 0; k < nOld; k++) data.set(old.subarray(k * oldCap, (k + 1) * oldCap), k * cap);
    const columns: F32[] = new Array<F32>(n);
    for (let k = 0; k < n; k++) columns[k] = data.subarray(k * cap, (k + 1) * cap);
    this.data = data;
    this.capacity = cap;
    this.columns = columns;
  }
}
