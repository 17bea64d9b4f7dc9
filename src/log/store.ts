/**
 * The event log on disk: LevelDB through `level`, values encoded with msgpackr.
 * The only module that touches the database. Everything it writes for one flush is one atomic batch.
 */
import { Level } from 'level';
import type { LoggedEvent } from '../../events/index.js';
import { decodeEvent, KIND_COMMAND, KIND_EVENT, KIND_SNAPSHOT, KIND_SNAPSHOT_HASH, metaKey, packr, seqKey, seqOfKey } from './codec.js';
import type { Branch, CommandRecord, Meta, Segment, Snapshot } from './types.js';

/** A user-facing failure of the log (locked, missing, corrupt). */
export class LogError extends Error {
  override name = 'LogError';
}

type Db = Level<Uint8Array, Uint8Array>;

export interface PendingWrite {
  events: { branch: number; seq: number; bytes: Buffer }[];
  commands: { branch: number; record: CommandRecord }[];
  snapshots: { branch: number; snapshot: Snapshot<unknown> }[];
  meta: Meta | null;
}

export class EventLog {
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
    const raw = await db.get(metaKey('meta'));
    const meta = raw ? (packr.unpack(raw) as Meta) : null;
    return new EventLog(db, dir, meta);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

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

  /** Raw records of a timeline range, in order, in chunks. */
  async *rawRange(branchId: number, from: number, to: number): AsyncGenerator<{ seq: number; bytes: Uint8Array }[]> {
    for (const seg of this.segments(branchId, to)) {
      const lo = Math.max(seg.from, from);
      if (lo > seg.to) continue;
      const it = this.db.iterator({ gte: seqKey(KIND_EVENT, seg.branch, lo), lte: seqKey(KIND_EVENT, seg.branch, seg.to), highWaterMarkBytes: 1 << 20 } as never);
      try {
        for (;;) {
          const entries = (await it.nextv(2048)) as [Uint8Array, Uint8Array][];
          if (entries.length === 0) break;
          yield entries.map(([k, v]) => ({ seq: seqOfKey(k), bytes: v }));
        }
      } finally {
        await it.close();
      }
    }
  }

  /** Decoded events of a timeline range, in chunks. */
  async *range(branchId: number, from: number, to: number): AsyncGenerator<LoggedEvent[]> {
    for await (const chunk of this.rawRange(branchId, from, to)) yield chunk.map((r) => decodeEvent(r.bytes));
  }

  async event(branchId: number, seq: number): Promise<LoggedEvent | undefined> {
    const seg = this.segments(branchId, seq).at(-1);
    if (!seg || seg.to !== seq) return undefined;
    const v = await this.db.get(seqKey(KIND_EVENT, seg.branch, seq));
    return v ? decodeEvent(v) : undefined;
  }

  async command(branchId: number, batch: number): Promise<CommandRecord | undefined> {
    const seg = this.segments(branchId, batch).at(-1);
    if (!seg) return undefined;
    const v = await this.db.get(seqKey(KIND_COMMAND, seg.branch, batch));
    return v ? (packr.unpack(v) as CommandRecord) : undefined;
  }

  /** The latest snapshot on the timeline at or before `seq`. */
  async snapshotAtOrBefore<S>(branchId: number, seq: number): Promise<Snapshot<S> | undefined> {
    const segs = this.segments(branchId, seq);
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      const it = this.db.iterator({ gte: seqKey(KIND_SNAPSHOT, seg.branch, seg.from), lte: seqKey(KIND_SNAPSHOT, seg.branch, seg.to), reverse: true, limit: 1 });
      try {
        const entry = (await it.next()) as [Uint8Array, Uint8Array] | undefined;
        if (entry) return packr.unpack(entry[1]) as Snapshot<S>;
      } finally {
        await it.close();
      }
    }
    return undefined;
  }

  /** Every snapshot's (seq, stateHash) on a timeline up to `upTo`, for replay checks. */
  async snapshotHashes(branchId: number, upTo: number): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const seg of this.segments(branchId, upTo)) {
      for await (const [, v] of this.db.iterator({ gte: seqKey(KIND_SNAPSHOT_HASH, seg.branch, seg.from), lte: seqKey(KIND_SNAPSHOT_HASH, seg.branch, seg.to) })) {
        const s = packr.unpack(v) as { seq: number; stateHash: string };
        out.set(s.seq, s.stateHash);
      }
    }
    return out;
  }

  /** Writes everything of one flush as ONE LevelDB batch: all of it lands, or none. */
  async write(w: PendingWrite): Promise<void> {
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
    for (const e of w.events) ops.push({ type: 'put', key: seqKey(KIND_EVENT, e.branch, e.seq), value: e.bytes });
    for (const c of w.commands) ops.push({ type: 'put', key: seqKey(KIND_COMMAND, c.branch, c.record.batch), value: packr.pack(c.record) });
    for (const s of w.snapshots) {
      ops.push({ type: 'put', key: seqKey(KIND_SNAPSHOT, s.branch, s.snapshot.seq), value: packr.pack(s.snapshot) });
      ops.push({ type: 'put', key: seqKey(KIND_SNAPSHOT_HASH, s.branch, s.snapshot.seq), value: packr.pack({ seq: s.snapshot.seq, stateHash: s.snapshot.stateHash }) });
    }
    if (w.meta) ops.push({ type: 'put', key: metaKey('meta'), value: packr.pack(w.meta) });
    if (ops.length === 0) return;
    await this.db.batch(ops);
    if (w.meta) this.meta = w.meta;
  }

  /** Overwrites one stored event record (used only by tests that tamper with the log). */
  async putRaw(branchId: number, seq: number, bytes: Uint8Array): Promise<void> {
    await this.db.put(seqKey(KIND_EVENT, branchId, seq), bytes);
  }

  async getRaw(branchId: number, seq: number): Promise<Uint8Array | undefined> {
    return this.db.get(seqKey(KIND_EVENT, branchId, seq));
  }

  /** Every record of every kind, for export. */
  async *entries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const e of this.db.iterator()) yield e as [Uint8Array, Uint8Array];
  }

  async putEntries(entries: [Uint8Array, Uint8Array][]): Promise<void> {
    await this.db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
    const raw = await this.db.get(metaKey('meta'));
    this.meta = raw ? (packr.unpack(raw) as Meta) : null;
  }
}
