/** Go's time.ParseDuration and Duration.String(), in integer milliseconds (the engine's virtual time). */
import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from '../../src/sim/duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['450ms', 450], ['47s', 47_000], ['2m', 120_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000], ['10104h', 10104 * 3_600_000],
    ['0', 0], ['.5s', 500], ['5.s', 5000], ['1m0.25s', 60_250], ['+5s', 5000], ['-5s', -5000], ['1500us', 1], ['999us', 0], ['1µs', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', '5', '1h30', 's', '5x', '5 s', '1.5.s', 'h1', '--5s', '5S'])('%j is not a Go duration', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});

describe('formatDurationMs', () => {
  it.each([
    [0, '0s'], [450, '450ms'], [1000, '1s'], [1500, '1.5s'], [13_600, '13.6s'], [90_000, '1m30s'], [3_600_000, '1h0m0s'], [3_725_500, '1h2m5.5s'], [-2000, '-2s'],
  ])('%d ms prints as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});
