/** What differs between two derived states, entity by entity (structural sharing skips the rest). */
import { canonicalJson, knownPartDigest, knownTableDigest } from '../state/hash.js';
import { TABLE_SLICES, type State } from '../state/types.js';
import { diffLeaves, type Table } from '../state/table.js';

export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface EntityChange {
  slice: string;
  key: string;
  op: 'added' | 'removed' | 'changed';
  /** For changed entities: the leaf fields that differ. */
  fields: FieldChange[];
  before?: unknown;
  after?: unknown;
}

function leafDiff(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (a === b) return;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) leafDiff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push({ path, from: a, to: b });
}

function tableDiff(slice: string, a: Table<unknown>, b: Table<unknown>, out: EntityChange[]): void {
  if (a === b) return;
  // Equal digests, known without decoding (read from the log, or hashed): the same entries.
  const da = knownTableDigest(a);
  if (da !== '' && a.n === b.n && da === knownTableDigest(b)) return;
  diffLeaves(a, b, (la, lb) => {
    for (const k of [...new Set([...Object.keys(la), ...Object.keys(lb)])]) {
      const va = la[k];
      const vb = lb[k];
      if (va === vb) continue;
      if (va === undefined) out.push({ slice, key: k, op: 'added', fields: [], after: vb });
      else if (vb === undefined) out.push({ slice, key: k, op: 'removed', fields: [], before: va });
      else {
        const fields: FieldChange[] = [];
        leafDiff(va, vb, '', fields);
        if (fields.length) out.push({ slice, key: k, op: 'changed', fields, before: va, after: vb });
      }
    }
  }, samePart);
}

/** Subtrees with the same known digest (a part decoded twice from the log, or hashed alike). */
function samePart(x: object, y: object): boolean {
  const dx = knownPartDigest(x);
  return dx !== '' && dx === knownPartDigest(y);
}

export function diffStates(a: State, b: State): EntityChange[] {
  const out: EntityChange[] = [];
  for (const slice of Object.keys(a).sort()) {
    const va = (a as unknown as Record<string, unknown>)[slice];
    const vb = (b as unknown as Record<string, unknown>)[slice];
    if (TABLE_SLICES.has(slice)) {
      tableDiff(slice, va as Table<unknown>, vb as Table<unknown>, out);
    } else if (va !== vb) {
      if (va === null || vb === null) {
        if (va !== vb) out.push({ slice, key: '', op: va === null ? 'added' : 'removed', fields: [], before: va ?? undefined, after: vb ?? undefined });
      } else {
        const fields: FieldChange[] = [];
        leafDiff(va, vb, '', fields);
        if (fields.length) out.push({ slice, key: '', op: 'changed', fields });
      }
    }
  }
  return out.sort((x, y) => (x.slice + '\0' + x.key < y.slice + '\0' + y.key ? -1 : 1));
}
