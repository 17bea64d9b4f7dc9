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
 */
export type Leaf<T> = Record<string, T>;
/** An inner node: 16 children, null where empty. */
export type Inner<T> = (Inner<T> | Leaf<T> | null)[];

export interface Table<T> {
  /** Number of entries. */
  n: number;
  /** Root of the trie (levels 0..2 are Inner, level 3 holds Leafs); null when empty. */
  t: Inner<T> | null;
}

export const TRIE_LEVELS = 4;
const FANOUT = 16;

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function emptyTable<T>(): Table<T> {
  return { n: 0, t: null };
}

/** The slot indexes of a key at each level. */
export function pathOf(key: string): number[] {
  const h = fnv1a(key);
  return [h & 15, (h >>> 4) & 15, (h >>> 8) & 15, (h >>> 12) & 15];
}

function leafOf<T>(table: Table<T>, key: string): Leaf<T> | null {
  const h = fnv1a(key);
  let node: Inner<T> | Leaf<T> | null = table.t;
  for (let l = 0; l < TRIE_LEVELS && node; l++) node = (node as Inner<T>)[(h >>> (4 * l)) & 15] ?? null;
  return node as Leaf<T> | null;
}

export function tget<T>(table: Table<T>, key: string): T | undefined {
  const leaf = leafOf(table, key);
  return leaf ? leaf[key] : undefined;
}

export function thas<T>(table: Table<T>, key: string): boolean {
  return tget(table, key) !== undefined;
}

function newInner<T>(): Inner<T> {
  return new Array(FANOUT).fill(null);
}

/** Inserts or replaces (call on an immer draft). */
export function tset<T>(table: Table<T>, key: string, value: T): void {
  const h = fnv1a(key);
  table.t ??= newInner<T>();
  let node: Inner<T> = table.t;
  for (let l = 0; l < TRIE_LEVELS - 1; l++) {
    const i = (h >>> (4 * l)) & 15;
    node[i] ??= newInner<T>();
    node = node[i] as Inner<T>;
  }
  const i = (h >>> 12) & 15;
  node[i] ??= {};
  const leaf = node[i] as Leaf<T>;
  if (!(key in leaf)) table.n++;
  leaf[key] = value;
}

/** Removes an entry if present (call on an immer draft); empty nodes are pruned. */
export function tdel<T>(table: Table<T>, key: string): void {
  const h = fnv1a(key);
  const chain: Inner<T>[] = [];
  let node: Inner<T> | null = table.t;
  for (let l = 0; l < TRIE_LEVELS - 1 && node; l++) {
    chain.push(node);
    node = node[(h >>> (4 * l)) & 15] as Inner<T> | null;
  }
  if (!node) return;
  chain.push(node);
  const leaf = node[(h >>> 12) & 15] as Leaf<T> | null;
  if (!leaf || !(key in leaf)) return;
  delete leaf[key];
  table.n--;
  if (Object.keys(leaf).length > 0) return;
  // Prune empty nodes bottom-up.
  for (let l = TRIE_LEVELS - 1; l >= 0; l--) {
    chain[l]![(h >>> (4 * l)) & 15] = null;
    if (chain[l]!.some((c) => c !== null)) return;
  }
  table.t = null;
}

/** Calls fn for every leaf (in trie order). */
export function forEachLeaf<T>(table: Table<T>, fn: (leaf: Leaf<T>) => void): void {
  const walk = (node: Inner<T> | Leaf<T> | null, level: number): void => {
    if (!node) return;
    if (level === TRIE_LEVELS) return fn(node as Leaf<T>);
    for (const child of node as Inner<T>) walk(child, level + 1);
  };
  walk(table.t, 0);
}

/** Every entry, in trie order. */
export function tvalues<T>(table: Table<T>): T[] {
  const out: T[] = [];
  forEachLeaf(table, (leaf) => {
    for (const k in leaf) out.push(leaf[k]!);
  });
  return out;
}

/** Every key, sorted (deterministic iteration for controllers). */
export function tkeysSorted<T>(table: Table<T>): string[] {
  const out: string[] = [];
  forEachLeaf(table, (leaf) => {
    for (const k in leaf) out.push(k);
  });
  return out.sort();
}

/** Flattens a trie path (as immer patches report it) to [slice, key, ...rest]. */
export function flattenPath(path: (string | number)[], tableSlices: ReadonlySet<string>): (string | number)[] {
  if (path.length >= 2 + TRIE_LEVELS + 1 && tableSlices.has(String(path[0])) && path[1] === 't') {
    return [path[0]!, ...path.slice(2 + TRIE_LEVELS)];
  }
  return path;
}

/** Pairs of leaves that differ between two versions of a table (structural sharing skips the rest). */
export function diffLeaves<T>(a: Table<T>, b: Table<T>, fn: (la: Leaf<T>, lb: Leaf<T>) => void): void {
  const EMPTY: Leaf<T> = {};
  const walk = (x: Inner<T> | Leaf<T> | null, y: Inner<T> | Leaf<T> | null, level: number): void => {
    if (x === y) return;
    if (level === TRIE_LEVELS) return fn((x as Leaf<T>) ?? EMPTY, (y as Leaf<T>) ?? EMPTY);
    for (let i = 0; i < FANOUT; i++) walk((x as Inner<T> | null)?.[i] ?? null, (y as Inner<T> | null)?.[i] ?? null, level + 1);
  };
  walk(a.t, b.t, 0);
}
