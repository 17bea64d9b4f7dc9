/**
 * Table<T>: a normalized collection stored as a two-level 256×256 hash trie of small records.
 *
 * Why not a flat record: immer copies a modified object key by key, so one update to a flat record of
 * 100,000 entities costs milliseconds. Here an update copies at most a 256-key root, a 256-key middle
 * level and one small leaf, so the per-event cost stays flat as the state grows.
 *
 * The layout is a pure function of the key set, so a canonical encoding (sorted keys) is stable.
 * Iteration order inside leaves follows insertion order: callers that need an order sort.
 */
export interface Table<T> {
  /** Number of entries. */
  n: number;
  /** trie: level-1 bucket → level-2 bucket → key → entry */
  t: Record<string, Record<string, Record<string, T>>>;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function emptyTable<T>(): Table<T> {
  return { n: 0, t: {} };
}

/** The two bucket names of a key. */
export function bucketsOf(key: string): [string, string] {
  const h = fnv1a(key);
  return [HEX[h & 0xff]!, HEX[(h >>> 8) & 0xff]!];
}

export function tget<T>(table: Table<T>, key: string): T | undefined {
  const [a, b] = bucketsOf(key);
  return table.t[a]?.[b]?.[key];
}

export function thas<T>(table: Table<T>, key: string): boolean {
  return tget(table, key) !== undefined;
}

/** Inserts or replaces (call on an immer draft). */
export function tset<T>(table: Table<T>, key: string, value: T): void {
  const [a, b] = bucketsOf(key);
  const l1 = (table.t[a] ??= {});
  const leaf = (l1[b] ??= {});
  if (!(key in leaf)) table.n++;
  leaf[key] = value;
}

/** Removes an entry if present (call on an immer draft); empty buckets are pruned. */
export function tdel<T>(table: Table<T>, key: string): void {
  const [a, b] = bucketsOf(key);
  const l1 = table.t[a];
  const leaf = l1?.[b];
  if (!leaf || !(key in leaf)) return;
  delete leaf[key];
  table.n--;
  if (Object.keys(leaf).length === 0) {
    delete l1![b];
    if (Object.keys(l1!).length === 0) delete table.t[a];
  }
}

/** Every entry, in trie order. */
export function tvalues<T>(table: Table<T>): T[] {
  const out: T[] = [];
  for (const a in table.t) {
    const l1 = table.t[a]!;
    for (const b in l1) {
      const leaf = l1[b]!;
      for (const k in leaf) out.push(leaf[k]!);
    }
  }
  return out;
}

/** Every key, sorted (deterministic iteration for controllers). */
export function tkeysSorted<T>(table: Table<T>): string[] {
  const out: string[] = [];
  for (const a in table.t) {
    const l1 = table.t[a]!;
    for (const b in l1) for (const k in l1[b]!) out.push(k);
  }
  return out.sort();
}

/** Flattens a trie path (as immer patches report it) to [slice, key, ...rest]. */
export function flattenPath(path: (string | number)[], tableSlices: ReadonlySet<string>): (string | number)[] {
  if (path.length >= 5 && tableSlices.has(String(path[0])) && path[1] === 't') {
    return [path[0]!, ...path.slice(4)];
  }
  return path;
}
