/**
 * The envelope band (viewer/src/ui/band.ts): one polygon per run between gaps, one vertex per
 * pixel column and edge (the column's top of the upper series, bottom of the lower one), alignment
 * slots passed over. Drawn into a recording stand-in for the canvas; positions are the values.
 */
import { describe, expect, it } from 'vitest';
import type uPlot from 'uplot';
import { fillBand } from '../../../viewer/src/ui/band.ts';

type Op = [string, ...number[]];

function draw(x: number[], hi: (number | null | undefined)[], lo: (number | null | undefined)[]): Op[][] {
  const ops: Op[] = [];
  const rec =
    (name: string) =>
    (...a: number[]): void =>
      void ops.push([name, ...a]);
  const ctx = {
    save() {},
    restore() {},
    clip() {},
    rect() {},
    beginPath: rec('begin'),
    moveTo: rec('M'),
    lineTo: rec('L'),
    closePath: rec('Z'),
    fill: rec('fill'),
    fillStyle: '',
  };
  // canvas y grows downwards: y position = -value, so the upper edge has the smaller y
  const u = {
    data: [x, hi, [], lo],
    series: [{}, { scale: 'y' }, {}, { scale: 'y' }],
    ctx,
    bbox: { left: 0, top: 0, width: 100, height: 100 },
    valToPos: (v: number, scale: string) => (scale === 'x' ? v : -v),
  } as unknown as uPlot;
  fillBand(u, 1, 3, 'red');
  // the polygons: the ops between the path's begin and its fill, split at each close
  const path = ops.slice(ops.findLastIndex((o) => o[0] === 'begin') + 1);
  expect(path.at(-1)).toEqual(['fill']);
  const polys: Op[][] = [];
  let cur: Op[] = [];
  for (const o of path.slice(0, -1)) {
    if (o[0] === 'Z') {
      polys.push(cur);
      cur = [];
    } else cur.push(o);
  }
  expect(cur).toEqual([]);
  return polys;
}

describe('fillBand', () => {
  it('merges the points of a pixel column: its highest upper value, its lowest lower value', () => {
    // two points per bucket in columns 1 and 2 (x 1.2 rounds to 1, 2.4 to 2)
    const polys = draw([1, 1.2, 2, 2.4], [5, 7, 6, 4], [2, 1, 3, 0]);
    expect(polys).toEqual([
      [
        ['M', 1, -7],
        ['L', 2, -6],
        ['L', 2, -0],
        ['L', 1, -1],
      ],
    ]);
  });

  it('ends a run at a gap in either series and passes over alignment slots', () => {
    const polys = draw([0, 1, 2, 3, 4, 5], [5, undefined, 5, null, 6, 6], [1, 1, 1, 1, 2, null]);
    expect(polys).toEqual([
      [
        ['M', 0, -5],
        ['L', 2, -5],
        ['L', 2, -1],
        ['L', 0, -1],
      ],
      [
        ['M', 4, -6],
        ['L', 4, -2],
      ],
    ]);
  });
});
