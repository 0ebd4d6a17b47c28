/** The pane layout as data (viewer/src/ui/layout.ts): JSON and URL round trips, validation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, LayoutError, PANE_KINDS, type Layout, layoutFromHash, layoutToHash, parseChosen, parseLayout } from '../../../viewer/src/ui/layout.ts';

const layoutArb = fc
  .array(fc.tuple(fc.constantFrom(...PANE_KINDS), fc.option(fc.array(fc.nat(199), { maxLength: 8 }), { nil: undefined })), { maxLength: 14 })
  .map((ps): Layout => ({ v: 1, panes: ps.map(([kind, chosen]) => (chosen === undefined ? { kind } : { kind, chosen })) }));

describe('layout', () => {
  // for all layouts / written to a URL fragment and read back / the same layout holds
  it('should survive the URL and JSON round trips', () => {
    fc.assert(
      fc.property(layoutArb, (l) => {
        expect(layoutFromHash(layoutToHash(l))).toEqual(l);
        expect(parseLayout(JSON.parse(JSON.stringify(l)))).toEqual(l);
      }),
    );
  });

  it('rejects bad layouts naming the field', () => {
    expect(() => parseLayout({ v: 2, panes: [] })).toThrow(/layout: v: expected 1/);
    expect(() => parseLayout({ v: 1, panes: [{ kind: 'pie' }] })).toThrow(/panes\[0\]\.kind: unknown pane "pie"/);
    expect(() => parseLayout({ v: 1, panes: [{ kind: 'cells', chosen: [-1] }] })).toThrow(LayoutError);
    expect(() => layoutFromHash('#layout=%7Bnot')).toThrow(/not JSON/);
    expect(layoutFromHash('#other=1')).toBeNull();
    expect(parseLayout(DEFAULT_LAYOUT)).toEqual(DEFAULT_LAYOUT);
  });

  it('reads chosen cells from text', () => {
    expect(parseChosen('3, 17 40;3 x 99', 50, 8)).toEqual([3, 17, 40]);
    expect(parseChosen('1 2 3 4', 10, 2)).toEqual([1, 2]);
  });
});
