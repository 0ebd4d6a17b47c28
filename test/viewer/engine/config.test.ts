/** viewer/config.json is data, checked on load (viewer/src/engine/columns.ts parseViewerConfig). */
import { describe, expect, it } from 'vitest';
import config from '../../../viewer/config.json' with { type: 'json' };
import { parseViewerConfig } from '../../../viewer/src/engine/columns.ts';

describe('viewer config', () => {
  it('accepts the shipped file', () => {
    expect(parseViewerConfig(config)).toEqual(config);
  });

  it('names the field and the problem', () => {
    expect(() => parseViewerConfig({ ...config, gap_factor: 0.5 })).toThrow('config.json: gap_factor: must be >= 1, got 0.5');
    expect(() => parseViewerConfig({ ...config, max_chosen: 2.5 })).toThrow('config.json: max_chosen: expected a whole number');
    expect(() => parseViewerConfig({ ...config, hottest: '3' })).toThrow('config.json: hottest: expected a number, got "3"');
    expect(() => parseViewerConfig({ ...config, heat_join_ms: -1 })).toThrow('config.json: heat_join_ms: must be >= 0, got -1');
    expect(() => parseViewerConfig({ ...config, extra: 1 })).toThrow('config.json: extra: unknown field');
    const { rest_c_rate: _r, ...missing } = config;
    expect(() => parseViewerConfig(missing)).toThrow('config.json: rest_c_rate: expected a number, got undefined');
  });
});
