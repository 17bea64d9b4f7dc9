/**
 * Table<T>: a normalized collection stored as a 16-ary hash trie, four levels deep, of small records.
 *
 * Why not a flat record: immer copies a modified object key by key, so one update to a flat record of
 * 100,000 entities costs milliseconds. Here an update copies four 16-slot arrays (cheap, fast-path
 * copies) and one small leaf, so the per-event cost stays flat from 1 to ~1,000,000 entries
 * (65,536 leaves). A wide fan-out (256 keys per level) was measured to be far slower: V8 keeps such
 * objects in dictionary mode and spreads them key by key.
 *
 * The layout is a pure function of the key set, so a canonical encoding (sorted keys) is stable.
 * Iteration order inside leaves follows insertion order: callers that need an order sort.
 *
 * Copy-on-write without proxies (ownTables, used by evolveAll to replay many events in one draft): a
 * reducer's tget does not walk the trie through immer drafts (a proxy trap per level, a draft per level
 * to create and to finalize: ~10 µs the first time an entity is touched in a produce() call). It copies
 * the path to the entity's leaf and hands out a deep copy of the entity, which the reducer then changes
 * directly: the copy immer would make on the first write, made on the first access instead. The
 * produced state holds the same data and the previous state is never touched. At the end of the call,
 * drafts stored into entities are replaced by their values, copies equal to their originals are put
 * back (unchanged entities stay shared), and the new root is assigned to the table in one write.
 */
import { current, isDraft, original } from 'immer';

/** A leaf of the trie: entries by key. */
export type Leaf<T> = Record<string, T>;
/** An inner node: 16 children, null where empty. */
export type Inner<T> = (Inner<T> | Leaf<T> | null)[];

/** A normalized collection (see the header). */
export interface Table<T> {
  /** Number of entries. */
  n: number;
  /** Root of the trie (levels 0..2 are Inner, level 3 holds Leafs); null when empty. */
  t: Inner<T> | null;
}

/** Levels of inner nodes above the leaves. */
export const TRIE_LEVELS = 4;
/** Hash bits per level. */
const BITS = 4;
const FANOUT = 1 << BITS;
const MASK = FANOUT - 1;

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The slot index of hash `h` at trie level `l`. */
function slot(h: number, l: number): number {
  return (h >>> (BITS * l)) & MASK;
}

/** A table with no entries. */
export function emptyTable<T>(): Table<T> {
  return { n: 0, t: null };
}

/** The slot indexes of a key at each level. */
export function pathOf(key: string): number[] {
  const h = fnv1a(key);
  return Array.from({ length: TRIE_LEVELS }, (_, l) => slot(h, l));
}

/** The leaf of the key whose hash is `h` under `root`, if any. */
function leafAt<T>(root: Inner<T> | null, h: number): Leaf<T> | null {
  let node: Inner<T> | Leaf<T> | null = root;
  for (let l = 0; l < TRIE_LEVELS && node; l++) node = (node as Inner<T>)[slot(h, l)] ?? null;
  return node as Leaf<T> | null;
}

/** The leaf a key lives in under `root`, if any. */
function leafIn<T>(root: Inner<T> | null, key: string): Leaf<T> | null {
  return leafAt(root, fnv1a(key));
}

function newInner<T>(): Inner<T> {
  return new Array(FANOUT).fill(null);
}

/**
 * An empty leaf, without a prototype: V8 keeps such an object as a hash table ("dictionary mode"). A leaf's
 * keys are entity keys, unique to it: added to an ordinary object, each new key makes V8 build a new
 * hidden class (and a copy by spread rebuilds them), ~1–2 µs per insert and memory for every class; in a
 * dictionary an insert is a hash-table insert (~0.4 µs). Keys keep their insertion order either way.
 */
function newLeaf<T>(): Leaf<T> {
  return Object.create(null) as Leaf<T>;
}

// ---- copy-on-write without proxies, inside one produce() call ------------------------------------------

/** What one ownTables call has done to one table draft. */
interface Owned {
  /** The trie as this call has it: its own copies along every path it touched. */
  root: Inner<unknown> | null;
  /** The root the call started from. */
  base: Inner<unknown> | null;
  /** Keys looked up or written, and what the table holds for each now. */
  entries: Map<string, unknown>;
  /** For keys handed out as copies: the original each copy was made from, and the leaf holding the copy. */
  originals: Map<string, { original: unknown; leaf: Leaf<unknown> }> | null;
}

/** Table drafts of the running ownTables call (null: none running; tables are plain immer drafts). */
let owned: Map<Table<unknown>, Owned> | null = null;
/** Trie nodes the running ownTables call created or copied (mutable until the call ends), in every table. */
let mine: Set<object> = new Set();

/**
 * Runs `recipe` (the body of a produce() call) with copy-on-write tables; see the header. evolve (one
 * event) and evolveAll (a run of events, one draft) use it; `engine show`'s field-level patches
 * (evolveWithPatches) are served by immer's proxies alone.
 */
export function ownTables<R>(recipe: () => R): R {
  const outer = owned;
  const outerMine = mine;
  owned = new Map();
  mine = new Set();
  try {
    const result = recipe();
    for (const [table, o] of owned) settle(table, o);
    return result;
  } finally {
    owned = outer;
    mine = outerMine;
  }
}

/** Is this table a draft whose trie the running ownTables call manages? */
function isOwned(table: Table<unknown>): boolean {
  return owned !== null && isDraft(table);
}

function ownedOf(table: Table<unknown>): Owned {
  let o = owned!.get(table);
  if (!o) {
    const base = (original(table as unknown as object) as Table<unknown>).t;
    o = { root: base, base, entries: new Map(), originals: null };
    owned!.set(table, o);
  }
  return o;
}

/** The trie root as the caller should see it. */
function rootOf<T>(table: Table<T>): Inner<T> | null {
  if (!isOwned(table)) return table.t;
  const o = owned!.get(table);
  return (o ? o.root : (original(table as unknown as object) as Table<T>).t) as Inner<T> | null;
}

/** An inner node this call may change: itself if the call made it, else a copy (a new one for null). */
function ownInner(node: Inner<unknown> | null): Inner<unknown> {
  if (node !== null && mine.has(node)) return node;
  // A spread, not slice(): a produced root is frozen, and V8's slice() of a frozen array is ~50× slower.
  const copy = node === null ? newInner() : [...node];
  mine.add(copy);
  return copy;
}

/** The leaf of the key hashed `h` in the call's own copy of the trie, copying (or creating) the path to it. */
function ownLeaf(o: Owned, h: number): Leaf<unknown> {
  let node = (o.root = ownInner(o.root));
  for (let l = 0; l < TRIE_LEVELS - 1; l++) {
    const i = slot(h, l);
    node = node[i] = ownInner(node[i] as Inner<unknown> | null);
  }
  const i = slot(h, TRIE_LEVELS - 1);
  const leaf = node[i] as Leaf<unknown> | null;
  if (leaf !== null && mine.has(leaf)) return leaf;
  const copy = leaf === null ? newLeaf() : Object.assign(newLeaf(), leaf);
  mine.add(copy);
  return (node[i] = copy);
}

/** The entry under `key` for a reducer to read or change: the call's own deep copy. */
function ownedGet(table: Table<unknown>, key: string): unknown {
  const o = ownedOf(table);
  if (o.entries.has(key)) return o.entries.get(key);
  const h = fnv1a(key);
  const found = leafAt(o.root, h);
  const value = found ? found[key] : undefined;
  if (value === null || typeof value !== 'object') {
    o.entries.set(key, value);
    return value;
  }
  const copy = cloneData(value);
  const leaf = ownLeaf(o, h);
  leaf[key] = copy;
  o.entries.set(key, copy);
  (o.originals ??= new Map()).set(key, { original: value, leaf });
  return copy;
}

/** End of the call: resolve drafts, restore unchanged entries, write the new root. */
function settle(table: Table<unknown>, o: Owned): void {
  for (const v of o.entries.values()) resolveDrafts(v);
  if (o.originals) {
    // The leaf that took the copy is this call's own for the rest of the call (a pruned one no longer holds it).
    for (const [key, { original: orig, leaf }] of o.originals) {
      const copy = o.entries.get(key);
      if (leaf[key] === copy && equalData(copy, orig)) leaf[key] = orig;
    }
  }
  if (o.root === o.base) return;
  // Frozen, the new root stops immer from walking the whole trie for drafts as it finalizes this write
  // (none are left in it). Only the root: freezing every copied node costs V8 a hidden class per leaf.
  // Nothing changes a produced root; the next call copies it.
  if (o.root) Object.freeze(o.root);
  table.t = o.root as Inner<never> | null;
}

/** A deep copy of plain data (objects and arrays); anything else is shared, as immer would not draft it. */
export function cloneData<X>(v: X): X {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneData) as X;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  // A spread keeps the source's hidden class (in-object properties); then the nested values are copied.
  const out = (proto === null ? Object.assign(Object.create(null), v) : { ...v }) as Record<string, unknown>;
  for (const k in out) {
    const child = out[k];
    if (child !== null && typeof child === 'object') out[k] = cloneData(child);
  }
  return out as X;
}

/** Deep equality of plain data, key order included (iteration order is observable). */
function equalData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !equalData((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[ka[i]!])) return false;
  }
  return true;
}

/** Replaces, inside data a reducer was handed, every immer draft stored in it by that draft's value. */
function resolveDrafts(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const child = obj[k];
    if (child === null || typeof child !== 'object') continue;
    if (isDraft(child)) obj[k] = current(child);
    else resolveDrafts(child);
  }
}

// ---- the table API -------------------------------------------------------------------------------------

/** The entry under `key`, if any (inside evolveAll: a copy the reducer may change). */
export function tget<T>(table: Table<T>, key: string): T | undefined {
  if (isOwned(table)) return ownedGet(table, key) as T | undefined;
  const leaf = leafIn(table.t, key);
  return leaf ? leaf[key] : undefined;
}

/**
 * The entry under `key`, to READ only: never change what it returns. Inside evolve/evolveAll it is the
 * entry as this draft has it (the copy handed out earlier, or the untouched original), without making
 * a copy: a reducer that only reads another slice's entity (a service's spec, a node's hostname) does
 * not pay for deep-copying it, and comparing it back at the end.
 */
export function tread<T>(table: Table<T>, key: string): T | undefined {
  if (isOwned(table)) {
    const o = owned!.get(table);
    if (o?.entries.has(key)) return o.entries.get(key) as T | undefined;
    const leaf = leafIn(rootOf(table), key);
    return leaf ? leaf[key] : undefined;
  }
  const leaf = leafIn(table.t, key);
  return leaf ? leaf[key] : undefined;
}

/** Whether `key` has an entry. */
export function thas<T>(table: Table<T>, key: string): boolean {
  return tread(table, key) !== undefined;
}

/** Inserts or replaces (call on an immer draft). */
export function tset<T>(table: Table<T>, key: string, value: T): void {
  if (isOwned(table)) {
    const o = ownedOf(table);
    const leaf = ownLeaf(o, fnv1a(key));
    if (!(key in leaf)) table.n++;
    leaf[key] = value;
    o.entries.set(key, value);
    o.originals?.delete(key);
    return;
  }
  const h = fnv1a(key);
  table.t ??= newInner<T>();
  let node: Inner<T> = table.t;
  for (let l = 0; l < TRIE_LEVELS - 1; l++) {
    const i = slot(h, l);
    node[i] ??= newInner<T>();
    node = node[i] as Inner<T>;
  }
  const i = slot(h, TRIE_LEVELS - 1);
  node[i] ??= newLeaf<T>();
  const leaf = node[i] as Leaf<T>;
  if (!(key in leaf)) table.n++;
  leaf[key] = value;
}

/** Removes an entry if present (call on an immer draft); empty nodes are pruned. */
export function tdel<T>(table: Table<T>, key: string): void {
  const o = isOwned(table) ? ownedOf(table) : null;
  const h = fnv1a(key);
  const found = leafAt(o ? o.root : table.t, h);
  if (!found || !(key in found)) return;
  if (o) {
    ownLeaf(o, h);
    o.entries.set(key, undefined);
    o.originals?.delete(key);
  }
  const chain: Inner<T>[] = [];
  let node = (o ? o.root : table.t) as Inner<T>;
  for (let l = 0; l < TRIE_LEVELS - 1; l++) {
    chain.push(node);
    node = node[slot(h, l)] as Inner<T>;
  }
  chain.push(node);
  const leaf = node[slot(h, TRIE_LEVELS - 1)] as Leaf<T>;
  delete leaf[key];
  table.n--;
  if (Object.keys(leaf).length > 0) return;
  // Prune empty nodes bottom-up.
  for (let l = TRIE_LEVELS - 1; l >= 0; l--) {
    chain[l]![slot(h, l)] = null;
    if (chain[l]!.some((c) => c !== null)) return;
  }
  if (o) o.root = null;
  else table.t = null;
}

/** Calls fn for every leaf (in trie order); inside evolveAll the leaves hold copies the caller may change. */
export function forEachLeaf<T>(table: Table<T>, fn: (leaf: Leaf<T>) => void): void {
  if (isOwned(table)) {
    // Hand out copies of every entry first (a caller may change what it is given), then walk.
    const keys: string[] = [];
    walkLeaves(rootOf(table), (leaf) => keys.push(...Object.keys(leaf)));
    for (const k of keys) ownedGet(table, k);
  }
  walkLeaves(rootOf(table), fn);
}

/** Calls fn for every leaf under `node` (a node at `level`), in trie order. Index loops: this is hot. */
function walkLeaves<T>(node: Inner<T> | Leaf<T> | null, fn: (leaf: Leaf<T>) => void, level = 0): void {
  if (!node) return;
  if (level === TRIE_LEVELS) {
    fn(node as Leaf<T>);
    return;
  }
  const inner = node as Inner<T>;
  for (let i = 0; i < inner.length; i++) if (inner[i]) walkLeaves(inner[i]!, fn, level + 1);
}

/** Every entry, in trie order. */
export function tvalues<T>(table: Table<T>): T[] {
  const out: T[] = [];
  if (isOwned(table)) forEachLeaf(table, (leaf) => collectValues(leaf, TRIE_LEVELS, out));
  else collectValues(table.t, 0, out);
  return out;
}

/**
 * Every entry, to READ only (never change what it returns): inside evolve/evolveAll, the entries as the
 * draft has them, without the copy per entry tvalues hands a reducer that may change them.
 */
export function treadValues<T>(table: Table<T>): T[] {
  const out: T[] = [];
  collectValues(rootOf(table), 0, out);
  return out;
}

/** Pushes the entries under `node` (a node at `level`) onto `out`: index loops and no callbacks, as it is hot. */
function collectValues<T>(node: Inner<T> | Leaf<T> | null, level: number, out: T[]): void {
  if (!node) return;
  if (level === TRIE_LEVELS) {
    // for-in, not Object.values: a leaf is a dictionary, and for-in allocates no array for it.
    const leaf = node as Leaf<T>;
    for (const k in leaf) out.push(leaf[k]!);
    return;
  }
  const inner = node as Inner<T>;
  for (let i = 0; i < inner.length; i++) if (inner[i]) collectValues(inner[i]!, level + 1, out);
}

/** Every key, sorted (deterministic iteration for controllers). */
export function tkeysSorted<T>(table: Table<T>): string[] {
  const out: string[] = [];
  walkLeaves(rootOf(table), (leaf) => {
    for (const k in leaf) out.push(k);
  });
  return out.sort();
}

/** A table's root subtrees, as the log stores them (one part each; empty table: none). */
export function tableParts<T>(table: Table<T>): (Inner<T> | Leaf<T> | null)[] {
  return table.t ? [...table.t] : [];
}

/**
 * A table read from the log whose trie is decoded (from its parts) only when first used: a command
 * touches a few tables of the state, and decoding all of it would cost more than the command.
 */
export function lazyTable<T>(n: number, loadParts: () => (Inner<T> | Leaf<T> | null)[]): Table<T> {
  const table = { n } as Table<T>;
  Object.defineProperty(table, 't', {
    enumerable: true,
    configurable: true,
    get(): Inner<T> | null {
      const parts = loadParts();
      const t = parts.length ? parts : null;
      Object.defineProperty(table, 't', { value: t, enumerable: true, configurable: true, writable: true });
      return t;
    },
  });
  return table;
}

/** Flattens a trie path (as immer patches report it) to [slice, key, ...rest]. */
export function flattenPath(path: (string | number)[], tableSlices: ReadonlySet<string>): (string | number)[] {
  if (path.length >= 2 + TRIE_LEVELS + 1 && tableSlices.has(String(path[0])) && path[1] === 't') {
    return [path[0]!, ...path.slice(2 + TRIE_LEVELS)];
  }
  return path;
}

/** Pairs of leaves that differ between two versions of a table (structural sharing skips the rest). */
export function diffLeaves<T>(a: Table<T>, b: Table<T>, fn: (la: Leaf<T>, lb: Leaf<T>) => void, sameDigest?: (x: object, y: object) => boolean): void {
  const EMPTY: Leaf<T> = {};
  const walk = (x: Inner<T> | Leaf<T> | null, y: Inner<T> | Leaf<T> | null, level: number): void => {
    if (x === y) return;
    if (level === TRIE_LEVELS) return fn((x as Leaf<T>) ?? EMPTY, (y as Leaf<T>) ?? EMPTY);
    // Two subtrees whose digests are known and equal hold the same entries (decoded twice from one part).
    if (x && y && sameDigest && sameDigest(x, y)) return;
    for (let i = 0; i < FANOUT; i++) walk((x as Inner<T> | null)?.[i] ?? null, (y as Inner<T> | null)?.[i] ?? null, level + 1);
  };
  walk(rootOf(a), rootOf(b), 0);
}
