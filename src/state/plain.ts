/** The derived state as plain JSON: tables flattened to objects keyed by ID, keys sorted. */
import { TABLE_SLICES, type State } from './types.js';
import { tkeysSorted, tget, type Table } from './table.js';

export function plainState(s: State): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s).sort()) {
    const v = (s as unknown as Record<string, unknown>)[k];
    if (TABLE_SLICES.has(k)) {
      const t = v as Table<unknown>;
      out[k] = Object.fromEntries(tkeysSorted(t).map((key) => [key, tget(t, key)]));
    } else out[k] = v;
  }
  return out;
}
