/** Canonical encoding and hash of the derived state: sorted keys, so equal states hash equally. */
import { createHash } from 'node:crypto';
import { tget, tkeysSorted, type Table } from './table.js';
import { TABLE_SLICES, type State } from './types.js';

/** JSON with object keys sorted at every level; `undefined` members dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

/**
 * sha256 of the canonical encoding, hex. Tables are hashed as their entries in key order, so the
 * hash depends on what the state holds, not on how the trie lays it out.
 */
export function stateHash(state: State): string {
  const h = createHash('sha256');
  for (const key of Object.keys(state).sort()) {
    h.update(JSON.stringify(key));
    const v = (state as unknown as Record<string, unknown>)[key];
    if (TABLE_SLICES.has(key)) {
      const t = v as Table<unknown>;
      for (const k of tkeysSorted(t)) {
        h.update(JSON.stringify(k));
        h.update(canonicalJson(tget(t, k)));
      }
    } else {
      h.update(canonicalJson(v));
    }
  }
  return h.digest('hex');
}
