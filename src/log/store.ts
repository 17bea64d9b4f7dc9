/**
 * The event log on disk: LevelDB through `level`, values encoded with msgpackr.
 * The only module that touches the database. Everything it writes for one flush is one atomic batch.
 */
import { Level } from 'level';
import type { EngineEvent, LoggedEvent } from '../../events/index.js';
import { decodeCommand, decodeEvent, decodeEventOnly, recordSeq, KIND_EVENT, KIND_SNAPSHOT, KIND_SNAPSHOT_HASH, metaKey, packr, partKey, seqKey, seqOfKey, sha256Bytes } from './codec.js';
import type { Branch, CommandRecord, HeadState, Meta, Segment, Snapshot, StoredPart, StoredState, StoredTable } from './types.js';

/** A user-facing failure of the log (locked, missing, corrupt). */
export class LogError extends Error {
  override name = 'LogError';
}

type Db = Level<Uint8Array, Uint8Array>;

/** Everything one flush writes. */
export interface PendingWrite {
  /** Encoded event records (a batch's first one carries its command line). */
  events: { branch: number; seq: number; bytes: Buffer }[];
  snapshots: { branch: number; snapshot: Snapshot }[];
  /** The state at HEAD, so that the next process opens without replaying (overwritten each time). */
  head: HeadState | null;
  meta: Meta | null;
}

/** One put of a flush, as LevelDB receives it. */
export interface PutOp {
  key: Uint8Array;
  value: Uint8Array;
}

/** Events per read of a range: replay evolves a chunk in one immer draft, and bigger drafts cost less per event. */
const CHUNK = 16384;
/** The first read of a range: small, so that a short range (a rewind from a snapshot) overlaps reading and reducing. */
const FIRST_CHUNK = 1024;
/** Decoded state parts kept in memory, most recently used last: rewinds reuse the parts snapshots share. */
const PART_CACHE = 1024;
const HEAD_KEY = metaKey('head');
const META_KEY = metaKey('meta');

/** A StoredState as its record holds it: each part replaced by [the hash of its bytes, its digest]. */
interface StateManifest {
  slices: Record<string, unknown>;
  tables: string[];
}

/** The log of one directory, opened by one process. */
export class EventLog {
  /** The batches being written, in order (a batch starts only once the previous one is written). */
  private writing: Promise<void> = Promise.resolve();
  /** Batches queued or being written. */
  private queued = 0;
  /** The first write that failed: nothing is written after it, and every later call reports it. */
  private writeError: unknown = null;
  /** The hash of every part object this log has stored or read (so it is never packed or put again). */
  private readonly partHashes = new WeakMap<object, Uint8Array>();
  /** Parts decoded or stored lately, by hash (hex): an LRU over Map's insertion order. */
  private readonly parts = new Map<string, object>();

  private constructor(private readonly db: Db, readonly dir: string, public meta: Meta | null) {}

  /** Opens (creating if needed) the log in `dir`. A log held by another process is a clear error. */
  static async open(dir: string): Promise<EventLog> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string; message?: string } };
      if (e.cause?.code === 'LEVEL_LOCKED' || e.code === 'LEVEL_LOCKED') {
        throw new LogError(`the event log at ${dir} is in use by another engine process`);
      }
      throw new LogError(`cannot open the event log at ${dir}: ${e.cause?.message ?? String(err)}`);
    }
    const raw = await db.get(META_KEY);
    const meta = raw ? (packr.unpack(raw) as Meta) : null;
    return new EventLog(db, dir, meta);
  }

  /** Closes the database (releases the lock), once every queued batch is written. */
  async close(): Promise<void> {
    try {
      await this.settle();
    } finally {
      await this.db.close();
    }
  }

  /** Waits until every queued batch is written; throws if one failed. Every read starts with it. */
  async settle(): Promise<void> {
    await this.writing;
    if (this.writeError) throw this.writeError;
  }

  /** A branch from the stored metadata. */
  branch(id: number): Branch {
    const b = this.meta?.branches.find((x) => x.id === id);
    if (!b) throw new LogError(`branch ${id} is missing from the log's metadata`);
    return b;
  }

  /** The stored ranges that make up a branch's timeline from 1 to `upTo`, oldest first. */
  segments(branchId: number, upTo: number): Segment[] {
    const out: Segment[] = [];
    let b: Branch | undefined = this.branch(branchId);
    let hi = upTo;
    while (b && hi > 0) {
      const lo = b.parent === null ? 1 : b.forkSeq + 1;
      if (hi >= lo) out.unshift({ branch: b.id, from: lo, to: hi });
      hi = Math.min(hi, b.forkSeq);
      b = b.parent === null ? undefined : this.branch(b.parent);
    }
    return out;
  }

  /** Raw records of a timeline range, in order, in chunks, with the seq of each as its key says. */
  async *rawRange(branchId: number, from: number, to: number): AsyncGenerator<{ seq: number; bytes: Uint8Array }[]> {
    for await (const chunk of this.chunks(branchId, from, to, true)) yield (chunk as [Uint8Array, Uint8Array][]).map(([k, v]) => ({ seq: seqOfKey(k), bytes: v }));
  }

  /**
   * The stored entries of a timeline range, in order, in chunks: [key, value] pairs, or (keys false) the
   * values alone, which LevelDB hands over faster (replay reads a record's seq from its header).
   */
  private async *chunks(branchId: number, from: number, to: number, keys: boolean): AsyncGenerator<unknown[]> {
    await this.settle();
    for (const seg of this.segments(branchId, to)) {
      const lo = Math.max(seg.from, from);
      if (lo > seg.to) continue;
      const range = { gte: seqKey(KIND_EVENT, seg.branch, lo), lte: seqKey(KIND_EVENT, seg.branch, seg.to), highWaterMarkBytes: 1 << 20 } as never;
      const it = keys ? this.db.iterator(range) : this.db.values(range);
      // Read ahead: LevelDB reads the next chunk on its thread while the caller decodes and reduces this one.
      // The first chunk is small, so that reducing starts early; the later ones are big (fewer round trips).
      let next: Promise<unknown[]> | null = it.nextv(FIRST_CHUNK) as Promise<unknown[]>;
      try {
        for (;;) {
          const entries = await next;
          next = null;
          if (entries.length === 0) break;
          next = it.nextv(CHUNK) as Promise<unknown[]>;
          yield entries;
        }
      } finally {
        // A read still in flight (the caller stopped early) ends before the iterator closes.
        if (next) await next.catch(() => undefined);
        await it.close();
      }
    }
  }

  /** Decoded events of a timeline range, in chunks. */
  async *range(branchId: number, from: number, to: number): AsyncGenerator<LoggedEvent[]> {
    for await (const chunk of this.rawRange(branchId, from, to)) yield chunk.map((r) => decodeEvent(r.bytes));
  }

  /** Just the events of a timeline range, in chunks, with the seq of each chunk's last one (replay's fast path). */
  async *events(branchId: number, from: number, to: number): AsyncGenerator<{ last: number; events: EngineEvent[] }> {
    for await (const values of this.chunks(branchId, from, to, false)) {
      const chunk = values as Uint8Array[];
      const events = new Array<EngineEvent>(chunk.length);
      for (let i = 0; i < chunk.length; i++) events[i] = decodeEventOnly(chunk[i]!);
      yield { last: recordSeq(chunk[chunk.length - 1]!), events };
    }
  }

  /** One event of a timeline, if it exists. */
  async event(branchId: number, seq: number): Promise<LoggedEvent | undefined> {
    const seg = this.segments(branchId, seq).at(-1);
    if (!seg || seg.to !== seq) return undefined;
    await this.settle();
    const v = await this.db.get(seqKey(KIND_EVENT, seg.branch, seq));
    return v ? decodeEvent(v) : undefined;
  }

  /** The command line behind the batch that starts at `batch` (its first event record carries it). */
  async command(branchId: number, batch: number): Promise<CommandRecord | undefined> {
    const seg = this.segments(branchId, batch).at(-1);
    if (!seg || seg.to !== batch) return undefined;
    await this.settle();
    const v = await this.db.get(seqKey(KIND_EVENT, seg.branch, batch));
    const c = v ? decodeCommand(v) : undefined;
    return c ? { batch, count: c.count, argv: c.argv, on: c.on } : undefined;
  }

  /** The latest snapshot on the timeline at or before `seq`, if it is after event `after` (else none is decoded). */
  async snapshotAtOrBefore(branchId: number, seq: number, after = 0): Promise<Snapshot | undefined> {
    await this.settle();
    const segs = this.segments(branchId, seq);
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      if (seg.to <= after) return undefined;
      // Keys first: a snapshot is large, and the caller may not need it.
      const it = this.db.iterator({ gte: seqKey(KIND_SNAPSHOT, seg.branch, Math.max(seg.from, after + 1)), lte: seqKey(KIND_SNAPSHOT, seg.branch, seg.to), reverse: true, limit: 1, values: false });
      let key: Uint8Array | undefined;
      try {
        key = ((await it.next()) as [Uint8Array, undefined] | undefined)?.[0];
      } finally {
        await it.close();
      }
      if (!key) continue;
      const v = await this.db.get(key);
      if (!v) continue;
      const s = packr.unpack(v) as { seq: number; stateHash: string; state: StateManifest };
      return { seq: s.seq, stateHash: s.stateHash, state: this.restore(s.state) };
    }
    return undefined;
  }

  /** Every snapshot's (seq, stateHash) on a timeline up to `upTo`, for replay checks. */
  async snapshotHashes(branchId: number, upTo: number): Promise<Map<number, string>> {
    await this.settle();
    const out = new Map<number, string>();
    for (const seg of this.segments(branchId, upTo)) {
      // The small hash records, not the snapshots: decoding every state would cost as much as the replay.
      for await (const [k, v] of this.db.iterator({ gte: seqKey(KIND_SNAPSHOT_HASH, seg.branch, seg.from), lte: seqKey(KIND_SNAPSHOT_HASH, seg.branch, seg.to) })) {
        out.set(seqOfKey(k), packr.unpack(v) as string);
      }
    }
    return out;
  }

  /** The state HEAD had when the last process closed the log, if recorded. */
  async headState(): Promise<HeadState | undefined> {
    await this.settle();
    const v = await this.db.get(HEAD_KEY);
    if (!v) return undefined;
    const h = packr.unpack(v) as { branch: number; seq: number; state: StateManifest };
    return { branch: h.branch, seq: h.seq, state: this.restore(h.state) };
  }

  /** The puts of one flush, every value encoded; state parts this log already holds are not put again. */
  encodeWrite(w: PendingWrite): PutOp[] {
    const ops: PutOp[] = [];
    for (const e of w.events) ops.push({ key: seqKey(KIND_EVENT, e.branch, e.seq), value: e.bytes });
    ops.push(...this.encodeRest(w));
    return ops;
  }

  /** The puts of a flush other than its event records. */
  private encodeRest(w: PendingWrite): PutOp[] {
    const ops: PutOp[] = [];
    for (const { branch, snapshot: s } of w.snapshots) {
      ops.push({ key: seqKey(KIND_SNAPSHOT, branch, s.seq), value: packr.pack({ seq: s.seq, stateHash: s.stateHash, state: this.manifest(s.state, ops) }) });
      ops.push({ key: seqKey(KIND_SNAPSHOT_HASH, branch, s.seq), value: packr.pack(s.stateHash) });
    }
    if (w.head) ops.push({ key: HEAD_KEY, value: packr.pack({ branch: w.head.branch, seq: w.head.seq, state: this.manifest(w.head.state, ops) }) });
    if (w.meta) ops.push({ key: META_KEY, value: packr.pack(w.meta) });
    return ops;
  }

  /** A state's record: parts replaced by [hash, digest], the parts not yet stored added to `ops`. */
  private manifest(s: StoredState, ops: PutOp[]): StateManifest {
    const slices: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(s.slices)) {
      if (!s.tables.includes(name)) {
        slices[name] = v;
        continue;
      }
      const t = v as StoredTable;
      const parts = t.parts.map((p) => (p === null ? null : [p.value ? this.partRef(p.value, ops) : p.hash!, p.digest]));
      slices[name] = { n: t.n, digest: t.digest, parts };
    }
    return { slices, tables: s.tables };
  }

  /** The hash of a part, packing it and adding its put to `ops` if this log does not hold it yet. */
  private partRef(part: object, ops: PutOp[]): Uint8Array {
    const known = this.partHashes.get(part);
    if (known) return known;
    const bytes = packr.pack(part);
    const h = sha256Bytes(bytes);
    ops.push({ key: partKey(h), value: bytes });
    this.partHashes.set(part, h);
    this.remember(h.toString('hex'), part);
    return h;
  }

  /**
   * A state from its record: each part as decoded lately (from memory), else by its hash alone: decodePart
   * reads and decodes it when the table is first used (most commands use a few tables).
   */
  private restore(m: StateManifest): StoredState {
    const slices: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(m.slices)) {
      if (!m.tables.includes(name)) {
        slices[name] = v;
        continue;
      }
      const t = v as { n: number; digest: string; parts: ([Uint8Array, string] | null)[] };
      const parts = t.parts.map((ref): StoredPart | null => {
        if (!ref) return null;
        const hash = Buffer.from(ref[0]);
        const part: StoredPart = { digest: ref[1], hash };
        const value = this.parts.get(hash.toString('hex'));
        if (value) part.value = value;
        return part;
      });
      slices[name] = { n: t.n, digest: t.digest, parts } satisfies StoredTable;
    }
    return { slices, tables: m.tables };
  }

  /** A part of a restored state, read and decoded if it was not yet (and from then on known by identity and cached). */
  decodePart(part: StoredPart): object {
    if (part.value) return part.value;
    const hex = Buffer.from(part.hash!).toString('hex');
    let value = this.parts.get(hex);
    if (!value) {
      // Read when the table is first used, not when the state is: a command touches a few tables, and
      // reading every part of a big state costs more than the command (parts are never deleted).
      const bytes = part.bytes ?? this.db.getSync(partKey(part.hash!));
      if (!bytes) throw new LogError(`the event log at ${this.dir} lacks the stored state part ${hex.slice(0, 12)}…`);
      value = packr.unpack(bytes) as object;
      this.partHashes.set(value, Buffer.from(part.hash!));
      this.remember(hex, value);
    }
    part.value = value;
    delete part.bytes;
    return value;
  }

  /** Marks a part as the most recently used, evicting the least recently used beyond PART_CACHE. */
  private remember(hex: string, part: object): void {
    this.parts.delete(hex);
    this.parts.set(hex, part);
    if (this.parts.size > PART_CACHE) this.parts.delete(this.parts.keys().next().value!);
  }

  /** Writes everything of one flush as ONE LevelDB batch (all of it lands, or none); resolves once written. */
  async write(w: PendingWrite): Promise<void> {
    this.enqueue(w);
    await this.settle();
  }

  /**
   * Queues one flush as ONE LevelDB batch and returns without waiting for it: the batch is written in the
   * background (LevelDB works on its own thread) while the caller goes on executing commands — group
   * commit with write-behind. Batches are written in order; reads wait for them; a failure surfaces at the
   * next call. Before returning it lets the event loop run once, so that finished writes are noticed and
   * the next queued batch starts.
   */
  async writeBehind(w: PendingWrite): Promise<void> {
    // Backpressure: at most one batch waits behind the one being written. A faster producer would
    // otherwise queue batches (copied into native memory) without bound.
    if (this.queued >= 2) await this.writing;
    this.enqueue(w);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Queues one flush's batch behind the ones being written. */
  private enqueue(w: PendingWrite): void {
    if (this.writeError) throw this.writeError;
    const rest = this.encodeRest(w);
    if (w.meta) this.meta = w.meta;
    if (w.events.length === 0 && rest.length === 0) return;
    // The puts copy the bytes into a native batch now; the batch is written when its turn comes.
    const batch = this.db.batch();
    for (const e of w.events) batch.put(seqKey(KIND_EVENT, e.branch, e.seq), e.bytes);
    for (const op of rest) batch.put(op.key, op.value);
    this.queued++;
    this.writing = this.writing.then(async () => {
      try {
        if (this.writeError) await batch.close();
        else await batch.write();
      } catch (e) {
        this.writeError ??= e;
      } finally {
        this.queued--;
      }
    });
  }

  /** Overwrites one stored event record (used only by tests that tamper with the log). */
  async putRaw(branchId: number, seq: number, bytes: Uint8Array): Promise<void> {
    await this.settle();
    await this.db.put(seqKey(KIND_EVENT, branchId, seq), bytes);
  }

  /** One stored event record as it is on disk. */
  async getRaw(branchId: number, seq: number): Promise<Uint8Array | undefined> {
    await this.settle();
    return this.db.get(seqKey(KIND_EVENT, branchId, seq));
  }

  /** Every record of every kind, for export. */
  async *entries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    await this.settle();
    for await (const e of this.db.iterator()) yield e as [Uint8Array, Uint8Array];
  }

  /** Writes exported records back (import), then re-reads the metadata. */
  async putEntries(entries: [Uint8Array, Uint8Array][]): Promise<void> {
    await this.settle();
    await this.db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
    const raw = await this.db.get(META_KEY);
    this.meta = raw ? (packr.unpack(raw) as Meta) : null;
  }
}
