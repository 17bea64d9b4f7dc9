/**
 * Canonical encoding and hash of the derived state: sorted keys, so equal states hash equally.
 *
 * A Table is hashed as the SUM (mod 2^256) of one sha256 per entry (its key and the canonical JSON of its
 * value), so the hash depends on what the table holds, not on how its trie lays it out or in which order
 * entries were added. A sum can be computed trie node by trie node and cached per node and per entry:
 * states are immutable once produced (immer copies on write; nothing mutates a state outside a reducer's
 * draft), so a node's sum never changes, and hashing a state after an event re-hashes only what that
 * event copied. Hashing stays O(changes), not O(state), as the state grows.
 */
import * as crypto from 'node:crypto';
import { TRIE_LEVELS, type Inner, type Leaf, type Table } from './table.js';
import { TABLE_SLICES, type State } from './types.js';

/** Object keys as JSON writes them, quoted and escaped: field names repeat in every record. */
const quotedKeys = new Map<string, string>();

function quoted(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    if (quotedKeys.size >= 65_536) quotedKeys.clear();
    quotedKeys.set(k, (q = JSON.stringify(k)));
  }
  return q;
}

/** JSON with object keys sorted at every level; `undefined` members dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? ',' : '') + (v === undefined ? 'null' : canonicalJson(v));
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // Most records are small and many are already in order: sort only when they are not.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quoted(k) + ':';
    out += typeof v === 'object' && v !== null ? canonicalJson(v) : JSON.stringify(v);
    first = false;
  }
  return out + '}';
}

/** A 256-bit sum as eight 32-bit words, least significant first. */
type Sum = Uint32Array;

/** sha256 of a string as a Sum (the one-shot `crypto.hash` where Node has it: much faster on small inputs). */
const digestWords: (text: string) => Sum =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => {
      const bin = crypto.hash('sha256', text, 'binary');
      const w = new Uint32Array(8);
      for (let i = 0; i < 8; i++) {
        const j = 28 - 4 * i;
        w[i] = ((bin.charCodeAt(j) << 24) | (bin.charCodeAt(j + 1) << 16) | (bin.charCodeAt(j + 2) << 8) | bin.charCodeAt(j + 3)) >>> 0;
      }
      return w;
    }
    : (text) => {
      const b = crypto.createHash('sha256').update(text).digest();
      const w = new Uint32Array(8);
      for (let i = 0; i < 8; i++) w[i] = b.readUInt32BE(28 - 4 * i);
      return w;
    };

/** acc += x (mod 2^256). */
function addInto(acc: Sum, x: Sum): void {
  let carry = 0;
  for (let i = 0; i < 8; i++) {
    const s = acc[i]! + x[i]! + carry;
    acc[i] = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
}

function hexOf(x: Sum): string {
  let s = '';
  for (let i = 7; i >= 0; i--) s += x[i]!.toString(16).padStart(8, '0');
  return s;
}

function sumOfHex(hex: string): Sum {
  const w = new Uint32Array(8);
  for (let i = 0; i < 8; i++) w[i] = parseInt(hex.slice(56 - 8 * i, 64 - 8 * i), 16) >>> 0;
  return w;
}

/** Sum of every trie node already hashed (inner nodes and leaves). */
const nodeSums = new WeakMap<object, Sum>();
/** Digests of tables read from the log and not decoded since (see tableDigest). */
const tableDigests = new WeakMap<object, string>();
/** Digest of every entry value already hashed, with the key it was hashed under. */
const entrySums = new WeakMap<object, { key: string; sum: Sum }>();

/** The digest of one entry: sha256 of its key and canonical JSON (cached per value object). */
function entrySum(key: string, value: unknown): Sum {
  const cacheable = value !== null && typeof value === 'object';
  const hit = cacheable ? entrySums.get(value) : undefined;
  if (hit && hit.key === key) return hit.sum;
  const sum = digestWords(JSON.stringify(key) + ':' + canonicalJson(value));
  if (cacheable) entrySums.set(value, { key, sum });
  return sum;
}

/**
 * The sum of the entries under an inner trie node at `level`, cached. Leaves are summed into their parent
 * and not cached themselves: a table has up to 65,536 of them, and a cache entry per leaf costs more than
 * summing a changed parent's 16 leaves again (their entries' digests are cached).
 */
function nodeSum(node: Inner<unknown>, level: number): Sum {
  let acc = nodeSums.get(node);
  if (acc) return acc;
  acc = new Uint32Array(8);
  if (level === TRIE_LEVELS - 1) {
    for (let i = 0; i < node.length; i++) {
      const leaf = node[i] as Leaf<unknown> | null;
      if (leaf) for (const k in leaf) addInto(acc, entrySum(k, leaf[k]));
    }
  } else {
    for (let i = 0; i < node.length; i++) {
      const child = node[i] as Inner<unknown> | null;
      if (child) addInto(acc, nodeSum(child, level + 1));
    }
  }
  nodeSums.set(node, acc);
  return acc;
}

/** A Table's digest: the sum of its entries, hex (cached, or as recorded with the table in the log). */
export function tableDigest(t: Table<unknown>): string {
  const known = tableDigests.get(t);
  if (known !== undefined) return known;
  return t.t ? hexOf(nodeSum(t.t, 0)) : '0';
}

/** A table's digest if already known (hashed, or read from the log), else '' (nothing is computed). */
export function knownTableDigest(t: Table<unknown>): string {
  const known = tableDigests.get(t);
  if (known !== undefined) return known;
  if (!t.t) return '0';
  const sum = nodeSums.get(t.t);
  return sum ? hexOf(sum) : '';
}

/** The digest of a subtree of a table's root (a part, as the log stores it) if already known, else ''. */
export function knownPartDigest(node: object): string {
  const sum = nodeSums.get(node);
  return sum ? hexOf(sum) : '';
}

/** Records digests read from the log ('' : unknown): a table's (valid for that table object) or a part's. */
export function knownDigest(of: object, digest: string, kind: 'table' | 'part'): void {
  if (!digest) return;
  if (kind === 'table') tableDigests.set(of, digest);
  else nodeSums.set(of, sumOfHex(digest));
}

/** A Table's hash input: its size and the sum of its entries. */
function tableText(t: Table<unknown>): string {
  return `T${t.n}:${tableDigest(t)}`;
}

/** sha256 over every slice in key order (a Table by its entry sum, anything else by its canonical JSON), hex. */
export function stateHash(state: State): string {
  const s = state as unknown as Record<string, unknown>;
  const h = crypto.createHash('sha256');
  for (const key of Object.keys(s).sort()) {
    const v = s[key];
    h.update(`${JSON.stringify(key)}:${TABLE_SLICES.has(key) ? tableText(v as Table<unknown>) : canonicalJson(v)};`);
  }
  return h.digest('hex');
}
