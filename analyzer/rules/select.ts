/**
 * Order statistics without sorting: the k-th smallest of a Float64Array's first m values, in
 * place (Hoare's selection, expected O(m)). The checks take medians per sampled row or window
 * (cells.outliers' median and MAD, thermal.heating, summary.resistance); sorting 100 values per
 * row would cost several times more.
 */

/** Rearranges a[0..m) so that a[k] is the k-th smallest (0-based) and returns it. */
export function selectKth(a: Float64Array, m: number, k: number): number {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** The median of a[0..m) (the mean of the two middle values for even m; NaN for m = 0); reorders a. */
export function median(a: Float64Array, m: number): number {
  if (m <= 0) return NaN;
  const k = (m - 1) >> 1;
  const lower = selectKth(a, m, k);
  if (m % 2 === 1) return lower;
  let upper = Infinity;
  for (let i = k + 1; i < m; i++) if (a[i]! < upper) upper = a[i]!;
  return (lower + upper) / 2;
}
