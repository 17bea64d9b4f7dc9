/**
 * A session: the log opened, HEAD's state in memory, and the one way to change anything —
 * execute(driver): decide → react until quiescent → one atomic batch (written at the next flush).
 */
import type { EngineEvent, LoggedEvent } from '../../events/index.js';
import { CONTROLLERS } from '../controllers/index.js';
import { EncodedEvent, encodeEvent, GENESIS_HASH, hashBytes, recordHash } from '../log/codec.js';
import { EventLog, LogError, type PendingWrite } from '../log/store.js';
import type { Branch, Head, Meta, StoredPart, StoredState, StoredTable } from '../log/types.js';
import { Prng } from '../sim/prng.js';
import { evolveAll, initialState } from '../state/index.js';
import { knownDigest, knownPartDigest, knownTableDigest, stateHash } from '../state/hash.js';
import { lazyTable, tableParts, type Table } from '../state/table.js';
import { TABLE_SLICES, type State } from '../state/types.js';
import { Reactor, type Applied } from './reactor.js';
import { Rejection } from '../commands/rejection.js';

/** The root seed of a log created without `engine init --seed`. */
export const DEFAULT_SEED = 1;
/** Virtual time 0 is shown as this instant. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1, 9, 0, 0);
/** The dockerd version the simulated hosts report. */
export const ENGINE_VERSION = '28.2.2';
/** swarm-engine's own version (`engine --version`). */
export const ENGINE_PACKAGE_VERSION = '0.1.0';
/** Events between snapshots, at least: a rewind replays at most this many (or one interval) events. */
export const SNAPSHOT_MIN_EVENTS = 2048;
/**
 * How far apart snapshots are, as the state grows. A snapshot stores only the parts of the state that
 * changed since the last one, but a part is 1/16 of a table: changes spread over a big table rewrite all
 * of it, so a snapshot costs about as much as packing every table that changed (E entities), while a
 * rewind replays up to one interval of events. Small states keep rewinds short: about E²/SNAPSHOT_SCALE
 * events apart, so SNAPSHOT_MIN_EVENTS up to ~11,000 changed entities. Big states keep
 * snapshots cheap: the interval tends to E events (about one entity packed per event appended; a quarter
 * of E packed four, and took ~40 % of a 1,000-node, 20,000-task network build). Tables that did not
 * change cost nothing and do not count: 1,000,000 label changes on 1,000 nodes snapshot every
 * SNAPSHOT_MIN_EVENTS whatever else the state holds (docs/PERFORMANCE.md, "Snapshot interval").
 */
export const SNAPSHOT_SCALE = 50_000;
/**
 * And at least a quarter of an event per entity in the whole state: a big state with a small table that
 * changes everywhere (10,000 nodes relabelled among 100,000+ entities) would otherwise repack that table
 * every SNAPSHOT_MIN_EVENTS (five nodes packed per event), while loading the snapshot already costs
 * about as much as replaying that many events.
 */
export const SNAPSHOT_PER_ENTITY_AT_LEAST = 0.25;
/**
 * A process that appended at least this many events since the last snapshot leaves one at the tip when it
 * closes: it shares its parts with HEAD's state record, so it costs a small record, and a later rewind
 * near the tip replays few events.
 */
export const TIP_SNAPSHOT_MIN_EVENTS = 256;
/** Group commit: callers running many commands (engine run) flush once this many events are pending. */
export const FLUSH_EVERY_EVENTS = 8192;

/**
 * How many entities the state's tables hold (what a snapshot's size grows with); with `unchanged`, only
 * the tables that are not in it (the ones that changed since it was filled).
 */
export function entityCount(state: State, unchanged?: WeakSet<object>): number {
  let n = 0;
  for (const slice of TABLE_SLICES) {
    const t = (state as unknown as Record<string, Table<unknown> | undefined>)[slice];
    if (t && !unchanged?.has(t)) n += t.n;
  }
  return n;
}

/** Events between two snapshots for a state this size (`unchanged`: the tables the last snapshot already holds). */
export function snapshotInterval(state: State, unchanged?: WeakSet<object>): number {
  const e = entityCount(state, unchanged);
  const all = unchanged ? entityCount(state) : e;
  return Math.max(SNAPSHOT_MIN_EVENTS, Math.round((e * e) / (e + SNAPSHOT_SCALE)), Math.round(all * SNAPSHOT_PER_ENTITY_AT_LEAST));
}

/** The table objects of a state (a WeakSet: it keeps none of them alive). */
function tablesOf(state: State): WeakSet<object> {
  const set = new WeakSet<object>();
  for (const slice of TABLE_SLICES) {
    const t = (state as unknown as Record<string, object | undefined>)[slice];
    if (t) set.add(t);
  }
  return set;
}

/** What each table read from the log was read from: written back as it is, without decoding it. */
const storedTables = new WeakMap<object, StoredTable>();

/**
 * A state as the log stores it: each Table slice split into parts, with the digests already known
 * (a snapshot's state was just hashed; HEAD's need not be, and the next process hashes it if it must).
 */
export function storedState(state: State): StoredState {
  const slices: Record<string, unknown> = {};
  const tables: string[] = [];
  for (const [name, v] of Object.entries(state)) {
    if (!TABLE_SLICES.has(name)) {
      slices[name] = v;
      continue;
    }
    tables.push(name);
    const t = v as Table<unknown>;
    slices[name] = storedTables.get(t) ?? {
      n: t.n, digest: knownTableDigest(t),
      parts: tableParts(t).map((p): StoredPart | null => (p === null ? null : { value: p, digest: knownPartDigest(p) })),
    };
  }
  return { slices, tables };
}

/** What a command sees while it builds its batch. */
export interface DriverIo {
  state(): State;
  rng: Prng;
  /** Applies events (and the controllers' reactions) right away. */
  emit(events: readonly EngineEvent[]): void;
}

/** A command's body: it reads the state and emits events through `io`. */
export type Driver = (io: DriverIo) => void;

/** What execute returns: the batch's events (empty if none), the state after them, the branch forked if any. */
export interface ExecResult {
  events: LoggedEvent[];
  state: State;
  forked: Branch | null;
}

/** The log opened by one engine process, with HEAD's state in memory. */
export class Session {
  private readonly reactor = new Reactor(CONTROLLERS);
  private pending: PendingWrite = { events: [], snapshots: [], head: null, meta: null };
  /** The tables of the last snapshot taken, or of HEAD's state as this process found it: changing them costs the next snapshot. */
  private snapshotTables: WeakSet<object> | undefined;
  private metaDirty = false;
  private forkLink: { branch: number; at: number; hash: string } | null = null;
  /** The last record appended, which the next batch chains to (saves turning the tip's hash to hex and back). */
  private tip: { branch: number; seq: number; bytes: Buffer; hex: boolean } | null = null;

  /** Writes the tip record's hash, as hex, into its branch's metadata (once per tip). */
  private syncTipHash(): void {
    const tip = this.tip;
    if (!tip || tip.hex || !this.meta) return;
    const b = this.meta.branches.find((x) => x.id === tip.branch);
    if (b && b.tipSeq === tip.seq) b.tipHash = recordHash(tip.bytes);
    tip.hex = true;
  }
  /** Where the stored head-state record stands (null: none, or not known to match). */
  private storedHead: { branch: number; seq: number } | null = null;
  /** Did this session append events (then it leaves a snapshot at the tip when it closes)? */
  private appended = false;

  private constructor(readonly log: EventLog, public meta: Meta | null, public state: State) {}

  /** Opens the log in `dir` with HEAD's state in memory: the recorded head state, else snapshot + replay. */
  static async open(dir: string): Promise<Session> {
    const log = await EventLog.open(dir);
    const s = new Session(log, null, initialState());
    await s.reload();
    return s;
  }

  /** Re-reads the metadata and HEAD's state (at open, and after an import wrote the log underneath). */
  async reload(): Promise<void> {
    this.meta = this.log.meta ? (structuredClone(this.log.meta) as Meta) : null;
    this.storedHead = null;
    if (!this.meta) {
      this.state = initialState();
      return;
    }
    const branch = this.meta.head.branch;
    const seq = this.headSeq();
    // The record is trusted only for the exact point it was written at: a branch's events never change.
    const head = await this.log.headState();
    if (head && head.branch === branch && head.seq === seq) {
      this.state = this.stateFromStored(head.state);
      this.storedHead = { branch, seq };
    } else {
      this.state = await this.stateAt(branch, seq);
    }
    this.snapshotTables = tablesOf(this.state);
  }

  /** Does the log exist yet (event 1 written)? */
  get initialized(): boolean {
    return this.meta !== null;
  }

  /** A branch by id (default: HEAD's). */
  branch(id?: number): Branch {
    const m = this.requireMeta();
    const want = id ?? m.head.branch;
    const b = m.branches.find((x) => x.id === want);
    if (!b) throw new LogError(`branch ${want} is missing from the log's metadata`);
    return b;
  }

  /** A branch by name, if any. */
  branchByName(name: string): Branch | undefined {
    return this.meta?.branches.find((b) => b.name === name);
  }

  /** The seq HEAD stands after. */
  headSeq(): number {
    const m = this.requireMeta();
    return m.head.at ?? this.branch(m.head.branch).tipSeq;
  }

  /** Where HEAD stands. */
  get head(): Head {
    return this.requireMeta().head;
  }

  /** Is HEAD rewound behind its branch's tip? */
  isDetached(): boolean {
    const m = this.meta;
    if (!m) return false;
    return m.head.at !== null && m.head.at < this.branch().tipSeq;
  }

  /** Creates the log: event 1 records the seed. */
  init(seed: number, argv: string[]): ExecResult {
    if (this.meta) throw new Rejection(`the event log at ${this.log.dir} is already initialized (seed ${this.state.sim.seed})`);
    this.meta = {
      branches: [{ id: 1, name: 'main', parent: null, forkSeq: 0, tipSeq: 0, tipHash: GENESIS_HASH, tipStateHash: '', lastSnapshotSeq: 0 }],
      head: { branch: 1, at: null },
    };
    return this.execute({ argv, on: null }, (io) => io.emit([{ type: 'LogInitialized', seed, epochMs: DEFAULT_EPOCH_MS, engineVersion: ENGINE_VERSION }]));
  }

  /** Runs a command's driver; on success the batch is queued for the next flush. Rejections leave no trace. */
  execute(cmd: { argv: string[]; on: string | null }, driver: Driver): ExecResult {
    if (!this.meta) this.init(DEFAULT_SEED, ['init']);
    let forked: Branch | null = null;
    const base = this.state;
    const target = this.isDetached() ? null : this.branch();
    const nextSeq = (target ? target.tipSeq : this.headSeq()) + 1;
    const applied: Applied[] = [];
    let state = base;
    const io: DriverIo = {
      state: () => state,
      rng: new Prng(this.state.sim.seed, nextSeq),
      emit: (events) => {
        state = this.reactor.run(state, events, io.rng, applied);
      },
    };
    driver(io);
    if (applied.length === 0) return { events: [], state, forked };
    const branch = target ?? (forked = this.fork());
    const logged: LoggedEvent[] = [];
    const tip = this.tip;
    let prev: Buffer = tip && tip.branch === branch.id && tip.seq === branch.tipSeq ? tip.bytes : hashBytes(branch.tipHash);
    const command = { count: applied.length, argv: cmd.argv, on: cmd.on };
    for (let i = 0; i < applied.length; i++) {
      const seq = nextSeq + i;
      const { event, atMs } = applied[i]!;
      const bytes = encodeEvent(seq, atMs, nextSeq, event, prev, i === 0 ? command : undefined);
      this.pending.events.push({ branch: branch.id, seq, bytes });
      logged.push(new EncodedEvent(seq, atMs, nextSeq, event, bytes));
      prev = bytes;
    }
    branch.tipSeq = nextSeq + applied.length - 1;
    // The branch's tipHash (hex) is written when the metadata is (takePending) or when another branch
    // takes the tip: turning a hash to hex per batch costs as much as a small event's hash.
    if (tip && tip.branch !== branch.id) this.syncTipHash();
    this.tip = { branch: branch.id, seq: branch.tipSeq, bytes: prev, hex: false };
    this.meta!.head = { branch: branch.id, at: null };
    this.metaDirty = true;
    this.appended = true;
    this.state = state;
    // Snapshots at batch boundaries, as the log grows (not at flushes: a long `engine run` flushes rarely).
    if (branch.tipSeq - Math.max(branch.lastSnapshotSeq, branch.forkSeq) >= snapshotInterval(state, this.snapshotTables)) {
      this.pending.snapshots.push({ branch: branch.id, snapshot: { seq: branch.tipSeq, stateHash: stateHash(state), state: storedState(state) } });
      branch.lastSnapshotSeq = branch.tipSeq;
      this.snapshotTables = tablesOf(state);
    }
    return { events: logged, state, forked };
  }

  /** Acting in the past: a new branch that shares events 1..HEAD with the current one. */
  private fork(): Branch {
    const m = this.meta!;
    const parent = this.branch();
    const at = this.headSeq();
    const link = this.forkLink;
    if (!link || link.branch !== parent.id || link.at !== at) throw new LogError('internal: fork point not prepared (call checkForkPoint first)');
    this.forkLink = null;
    const id = Math.max(...m.branches.map((b) => b.id)) + 1;
    let name = `${parent.name}-${at}`;
    for (let k = 2; m.branches.some((b) => b.name === name); k++) name = `${parent.name}-${at}-${k}`;
    const b: Branch = { id, name, parent: parent.id, forkSeq: at, tipSeq: at, tipHash: link.hash, tipStateHash: '', lastSnapshotSeq: 0 };
    m.branches.push(b);
    return b;
  }

  /** Before acting at a rewound HEAD, make sure it is a batch boundary (batches are atomic). */
  async checkForkPoint(): Promise<void> {
    if (!this.isDetached()) return;
    await this.flush();
    const at = this.headSeq();
    const next = await this.log.event(this.head.branch, at + 1);
    if (next && next.batch !== at + 1) {
      const cmd = await this.log.command(this.head.branch, next.batch);
      const end = cmd ? next.batch + cmd.count - 1 : at + 1;
      throw new Rejection(`event ${at} is inside the batch of events ${next.batch}–${end}; rewind to ${next.batch - 1} or ${end} to act from there`);
    }
    // The fork's first event links to event `at` of the current timeline.
    this.forkLink = { branch: this.head.branch, at, hash: await this.hashAt(at) };
  }

  /** Hash of the event HEAD stands after (the link a fork's first event carries). */
  async hashAt(seq: number): Promise<string> {
    if (seq === 0) return GENESIS_HASH;
    const e = await this.log.event(this.head.branch, seq);
    if (!e) throw new LogError(`event ${seq} is missing from the log`);
    return e.hash;
  }

  /** Moves HEAD (rewind, step, checkout): the state follows. */
  async moveHead(head: Head): Promise<void> {
    await this.flush();
    const m = this.requireMeta();
    const b = this.branch(head.branch);
    const at = head.at !== null && head.at >= b.tipSeq ? null : head.at;
    this.state = await this.stateAt(b.id, at ?? b.tipSeq);
    this.snapshotTables = tablesOf(this.state);
    m.head = { branch: b.id, at };
    this.metaDirty = true;
    await this.flush();
  }

  /** Creates a named branch at HEAD without moving HEAD. */
  async createBranch(name: string): Promise<Branch> {
    await this.flush();
    const m = this.requireMeta();
    const cur = this.branch();
    const at = this.headSeq();
    const id = Math.max(...m.branches.map((b) => b.id)) + 1;
    const b: Branch = { id, name, parent: cur.id, forkSeq: at, tipSeq: at, tipHash: await this.hashAt(at), tipStateHash: stateHash(this.state), lastSnapshotSeq: 0 };
    m.branches.push(b);
    this.metaDirty = true;
    await this.flush();
    return b;
  }

  /**
   * The derived state after event `seq` of a branch's timeline: HEAD's state when it is that point,
   * else the nearest snapshot (or HEAD's state, when it is on the way and closer), then replay.
   */
  async stateAt(branchId: number, seq: number): Promise<State> {
    if (seq === 0) return initialState();
    const head = this.meta ? { branch: this.meta.head.branch, seq: this.headSeq() } : null;
    if (head && head.branch === branchId && head.seq === seq) return this.state;
    const fromHead = head !== null && head.branch === branchId && head.seq < seq;
    const snap = await this.log.snapshotAtOrBefore(branchId, seq, fromHead ? head.seq : 0);
    const from = snap ? snap.seq : fromHead ? head.seq : 0;
    let state = snap ? this.stateFromStored(snap.state) : fromHead ? this.state : initialState();
    for await (const chunk of this.log.events(branchId, from + 1, seq)) state = evolveAll(state, chunk.events);
    return state;
  }

  /** The state a StoredState holds, its tables decoded from their parts on first use (slices keep their order). */
  private stateFromStored(stored: StoredState): State {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(stored.slices)) {
      if (!stored.tables.includes(name)) {
        out[name] = v;
        continue;
      }
      const st = v as StoredTable;
      const table = lazyTable(st.n, () => st.parts.map((p) => {
        if (p === null) return null;
        const node = this.log.decodePart(p);
        knownDigest(node, p.digest, 'part');
        return node as never;
      }));
      knownDigest(table, st.digest, 'table');
      storedTables.set(table, st);
      out[name] = table;
    }
    // A state stored by an older engine lacks the slices added since (an index such as `unallocated`):
    // they start empty, in the order the state has them (its recorded hash is then an old engine's).
    const fresh = initialState() as unknown as Record<string, unknown>;
    if (Object.keys(fresh).every((k) => k in out)) return out as unknown as State;
    const upgraded: Record<string, unknown> = {};
    for (const k of Object.keys(fresh)) upgraded[k] = k in out ? out[k] : fresh[k];
    for (const k of Object.keys(out)) if (!(k in upgraded)) upgraded[k] = out[k];
    return upgraded as unknown as State;
  }

  /** Number of events waiting for the next flush. */
  get pendingEvents(): number {
    return this.pending.events.length;
  }

  /**
   * Writes pending batches, their snapshots and the metadata as one atomic LevelDB batch; with
   * `withHead`, also HEAD's state (when it moved since it was last recorded), so the next open decodes it.
   */
  async flush(withHead = false): Promise<void> {
    const w = this.takePending(withHead);
    if (w) await this.log.write(w);
  }

  /** Group commit: like flush, but the batch is written in the background while commands go on. */
  async flushBehind(): Promise<void> {
    const w = this.takePending(false, true);
    if (w) await this.log.writeBehind(w);
  }

  /** What the next flush writes (null: nothing), taken out of the pending state. */
  private takePending(withHead: boolean, background = false): PendingWrite | null {
    if (!this.meta) return null;
    const seq = this.headSeq();
    const branch = this.meta.head.branch;
    const headMoved = withHead && (this.storedHead?.branch !== branch || this.storedHead.seq !== seq);
    const tipUnhashed = !background && this.meta.head.at === null && !this.branch().tipStateHash && this.branch().tipSeq > 0;
    if (!this.metaDirty && this.pending.events.length === 0 && !headMoved && !tipUnhashed) return null;
    this.syncTipHash();
    const w = this.pending;
    this.pending = { events: [], snapshots: [], head: null, meta: null };
    const b = this.branch();
    // The tip's state hash (what replay checks the tip against). A group commit in the middle of a long
    // `engine run` leaves it unknown (''): hashing the state at every commit costs as much as the commands,
    // and the next foreground flush (at the latest, the one at close) records it.
    if (background) {
      if (w.events.length > 0) b.tipStateHash = '';
    } else if (w.events.length > 0 || (!b.tipStateHash && b.tipSeq > 0 && this.meta.head.at === null)) {
      b.tipStateHash = stateHash(this.state);
    }
    if (withHead && this.appended && this.meta.head.at === null && b.tipSeq - Math.max(b.lastSnapshotSeq, b.forkSeq) >= TIP_SNAPSHOT_MIN_EVENTS) {
      w.snapshots.push({ branch: b.id, snapshot: { seq: b.tipSeq, stateHash: stateHash(this.state), state: storedState(this.state) } });
      b.lastSnapshotSeq = b.tipSeq;
    }
    if (headMoved) {
      w.head = { branch, seq, state: storedState(this.state) };
      // If this write fails, the log reports it on every later call: the record is as good as stored.
      this.storedHead = { branch, seq };
    }
    // A copy: the metadata goes on changing in memory while the batch waits to be written.
    w.meta = structuredClone(this.meta);
    this.metaDirty = false;
    return w;
  }

  /** Flushes everything, HEAD's state included, and closes the log. */
  async close(): Promise<void> {
    try {
      await this.flush(true);
    } finally {
      await this.log.close();
    }
  }

  private requireMeta(): Meta {
    if (!this.meta) throw new Rejection(`the event log at ${this.log.dir} is empty: run a command first (e.g. engine host add manager1)`);
    return this.meta;
  }
}
