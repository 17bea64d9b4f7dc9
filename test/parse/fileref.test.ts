/**
 * `--secret` / `--config` (docker/cli opts/swarmopts/secret.go, config.go; cases from secret_test.go
 * TestSecretOptions) and `--placement-pref` (cli/command/service/opts.go placementPrefOpts.Set).
 */
import { describe, expect, it } from 'vitest';
import { goParseUintBase0, parseFileRef, parsePlacementPref } from '../../src/commands/parse.js';

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('--secret (TestSecretOptions)', () => {
  it.each<[string, string, string, string, string, number]>([
    // input, source, target, uid, gid, mode
    ['app-secret', 'app-secret', 'app-secret', '0', '0', 0o444],
    ['source=foo', 'foo', 'foo', '0', '0', 0o444],
    ['source=foo,target=testing', 'foo', 'testing', '0', '0', 0o444],
    ['src=foo,target=testing', 'foo', 'testing', '0', '0', 0o444],
    ['source=foo,target=testing,uid=1000,gid=1001', 'foo', 'testing', '1000', '1001', 0o444],
    ['source=foo,target=testing,uid=1000,gid=1001,mode=0444', 'foo', 'testing', '1000', '1001', 0o444],
  ])('%s', (input, source, target, uid, gid, mode) => {
    expect(parseFileRef(input, 'secret')).toEqual({ source, target, uid, gid, mode });
  });

  it('reads mode with Go base detection: 0400 is octal (256), 400 is decimal', () => {
    expect(parseFileRef('source=s,mode=0400', 'secret').mode).toBe(0o400);
    expect(parseFileRef('source=s,mode=400', 'secret').mode).toBe(400);
    expect(parseFileRef('source=s,mode=0o440', 'secret').mode).toBe(0o440);
    expect(parseFileRef('source=s,mode=0x1ff', 'secret').mode).toBe(0o777);
  });

  it('keys are case-insensitive (the TODO in secret.go)', () => {
    expect(parseFileRef('SOURCE=foo,Target=bar', 'secret')).toMatchObject({ source: 'foo', target: 'bar' });
  });

  it.each<[string, string]>([
    ['source=foo,mode=abc', 'invalid mode specified: strconv.ParseUint: parsing "abc": invalid syntax'],
    ['source=foo,mode=08', 'invalid mode specified: strconv.ParseUint: parsing "08": invalid syntax'],
    ['source=foo,mode=1e3', 'invalid mode specified: strconv.ParseUint: parsing "1e3": invalid syntax'],
    ['source=foo,mode=99999999999', 'invalid mode specified: strconv.ParseUint: parsing "99999999999": value out of range'],
    ['target=bar', 'source is required'],
    ['source=foo,bogus', "invalid field 'bogus' must be a key=value pair"],
    ['a,b', "invalid field 'a' must be a key=value pair"],
    ['=foo', "invalid field '=foo' must be a key=value pair"],
    ['source=foo,Size=3', 'invalid field in secret request: Size'],
  ])('%s → %s', (input, message) => {
    expect(error(() => parseFileRef(input, 'secret'))).toBe(message);
  });

  it('--config says config in its field error', () => {
    expect(error(() => parseFileRef('source=foo,bogus=1', 'config'))).toBe('invalid field in config request: bogus');
  });
});

describe("strconv.ParseUint(v, 0, 32), the mode parser", () => {
  it.each<[string, number]>([['0', 0], ['7', 7], ['0777', 0o777], ['0o17', 15], ['0b101', 5], ['0X1F', 31], ['1_000', 1000], ['0_7', 7]])('%s = %d', (v, n) => {
    expect(goParseUintBase0(v, 32)).toBe(n);
  });
  it.each(['', '-1', '+1', '0x', '1__0', '_1', '1_', '0b2', '4294967296'])('%j is refused', (v) => {
    expect(() => goParseUintBase0(v, 32)).toThrow(/^strconv\.ParseUint: parsing ".*": (invalid syntax|value out of range)$/);
  });
});

describe('--placement-pref', () => {
  it('takes spread=<descriptor>', () => {
    expect(parsePlacementPref('spread=node.labels.az')).toBe('node.labels.az');
  });
  it.each<[string, string]>([
    ['binpack=node.labels.az', 'unsupported placement preference binpack (only spread is supported)'],
    ['Spread=node.labels.az', 'unsupported placement preference Spread (only spread is supported)'],
    ['spread', 'placement preference must be of the format "<strategy>=<arg>"'],
    ['=node.labels.az', 'placement preference must be of the format "<strategy>=<arg>"'],
  ])('%s → %s', (v, message) => {
    expect(error(() => parsePlacementPref(v))).toBe(message);
  });
});
