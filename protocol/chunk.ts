/** Splitting a whole pack's values into chunked messages. */
import { CELL_VOLTAGES_MAX_COUNT, MessageType, TEMPERATURES_MAX_COUNT, type CellVoltages, type Temperatures } from './messages.ts';

/** CELL_VOLTAGES messages covering `voltages_V` (cell 0 first), at most `maxCount` cells each (views, not copies). */
export function chunkCellVoltages(voltages_V: Float64Array, maxCount: number = CELL_VOLTAGES_MAX_COUNT): CellVoltages[] {
  checkMax(maxCount, CELL_VOLTAGES_MAX_COUNT);
  const r: CellVoltages[] = [];
  for (let o = 0; o < voltages_V.length; o += maxCount) {
    r.push({ type: MessageType.CELL_VOLTAGES, offset: o, voltages_V: voltages_V.subarray(o, o + maxCount) });
  }
  return r;
}

/** TEMPERATURES messages covering `temperatures_C` (sensor 0 first), at most `maxCount` each (views). */
export function chunkTemperatures(temperatures_C: Float64Array, maxCount: number = TEMPERATURES_MAX_COUNT): Temperatures[] {
  checkMax(maxCount, TEMPERATURES_MAX_COUNT);
  const r: Temperatures[] = [];
  for (let o = 0; o < temperatures_C.length; o += maxCount) {
    r.push({ type: MessageType.TEMPERATURES, offset: o, temperatures_C: temperatures_C.subarray(o, o + maxCount) });
  }
  return r;
}

function checkMax(maxCount: number, limit: number): void {
  if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > limit) {
    throw new TypeError(`"maxCount" must be an integer 1..${limit}: ${maxCount}`);
  }
}
