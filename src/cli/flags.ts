/** Flag value parsers with Docker's error wording: `invalid argument "x" for "--flag" flag: …`. */
import { reject } from '../commands/rejection.js';
import { parseDurationMs } from '../sim/duration.js';

export function invalidArg(value: string, flag: string, why: string): never {
  return reject(`invalid argument "${value}" for "${flag}" flag: ${why}`);
}

export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function durationFlag(flag: string) {
  return (v: string): number => {
    const ms = parseDurationMs(v);
    if (ms === null) invalidArg(v, flag, `time: invalid duration "${v}"`);
    return ms;
  };
}

export function uintFlag(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) invalidArg(v, flag, `strconv.ParseUint: parsing "${v}": invalid syntax`);
    return Number(v);
  };
}

export function intFlag(flag: string) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v)) invalidArg(v, flag, `strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  };
}

/** `-f key=value` filters, validated against the keys a list command accepts. */
export function filterFlag(keys: readonly string[]) {
  return (v: string, prev: Record<string, string[]> = {}): Record<string, string[]> => {
    const i = v.indexOf('=');
    if (i < 0) reject(`bad format of filter (expected name=value)`);
    const k = v.slice(0, i).trim().toLowerCase();
    if (!keys.includes(k)) reject(`Error response from daemon: invalid filter '${k}'`);
    return { ...prev, [k]: [...(prev[k] ?? []), v.slice(i + 1)] };
  };
}

/** `--format`: table (default), json, or a Go template (parsed, and refused with Go's message, when it is used). */
export function formatFlag(v: string): string {
  return v;
}
