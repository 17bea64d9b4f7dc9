/** Canonical encoding and hash of the derived state: sorted keys, so equal states hash equally. */
import { createHash } from 'node:crypto';
import type { State } from './types.js';

/** JSON with object keys sorted at every level; `undefined` members dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

/** sha256 of the canonical encoding, hex. */
export function stateHash(state: State): string {
  const h = createHash('sha256');
  // Slice by slice, to avoid one giant string for large states.
  for (const key of Object.keys(state).sort()) {
    h.update(JSON.stringify(key));
    h.update(canonicalJson((state as unknown as Record<string, unknown>)[key]));
  }
  return h.digest('hex');
}
