/**
 * A session: the log opened, HEAD's state in memory, and the one way to change anything —
 * execute(driver): decide → react until quiescent → one atomic batch (written at the next flush).
 */
import type { EngineEvent, LoggedEvent } from '../../events/index.js';
import { CONTROLLERS } from '../controllers/index.js';
import { encodeEvent, GENESIS_HASH, decodeEvent } from '../log/codec.js';
import { EventLog, LogError, type PendingWrite } from '../log/store.js';
import type { Branch, CommandRecord, Head, Meta } from '../log/types.js';
import { Prng } from '../sim/prng.js';
import { evolveAll, initialState } from '../state/index.js';
import { stateHash } from '../state/hash.js';
import type { State } from '../state/types.js';
import { Reactor, type Applied } from './reactor.js';
import { Rejection } from '../commands/rejection.js';

export const DEFAULT_SEED = 1;
/** Virtual time 0 is shown as this instant. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1, 9, 0, 0);
export const ENGINE_VERSION = '28.2.2';
/** swarm-engine's own version (`engine --version`). */
export const ENGINE_PACKAGE_VERSION = '0.1.0';
/** Events between snapshots, at least; larger states snapshot less often (a snapshot costs O(state)). */
export const SNAPSHOT_MIN_EVENTS = 4096;
/** Group commit: pending events written together once this many accumulate. */
export const FLUSH_EVERY_EVENTS = 8192;

/** What a command sees while it builds its batch. */
export interface DriverIo {
  state(): State;
  rng: Prng;
  /** Applies events (and the controllers' reactions) right away. */
  emit(events: readonly EngineEvent[]): void;
}

export type Driver = (io: DriverIo) => void;

export interface ExecResult {
  events: LoggedEvent[];
  state: State;
  forked: Branch | null;
}

/** Entries in every table of the state (a snapshot's cost grows with it). */
export function entityCount(s: State): number {
  let n = 0;
  for (const v of Object.values(s)) if (v && typeof v === 'object' && 'n' in v && 't' in v) n += (v as { n: number }).n;
  return n;
}

export class Session {
  private readonly reactor = new Reactor(CONTROLLERS);
  private pending: PendingWrite = { events: [], commands: [], snapshots: [], meta: null };
  private metaDirty = false;
  private forkLink: { branch: number; at: number; hash: string } | null = null;

  private constructor(readonly log: EventLog, public meta: Meta | null, public state: State) {}

  static async open(dir: string): Promise<Session> {
    const log = await EventLog.open(dir);
    const meta = log.meta ? (structuredClone(log.meta) as Meta) : null;
    const s = new Session(log, meta, initialState());
    if (meta) s.state = await s.stateAt(meta.head.branch, s.headSeq());
    return s;
  }

  /** Re-reads the metadata and HEAD's state (after an import wrote the log underneath). */
  async reload(): Promise<void> {
    this.meta = this.log.meta ? (structuredClone(this.log.meta) as Meta) : null;
    this.state = this.meta ? await this.stateAt(this.meta.head.branch, this.headSeq()) : initialState();
  }

  get initialized(): boolean {
    return this.meta !== null;
  }

  branch(id?: number): Branch {
    const m = this.requireMeta();
    const want = id ?? m.head.branch;
    const b = m.branches.find((x) => x.id === want);
    if (!b) throw new LogError(`branch ${want} is missing from the log's metadata`);
    return b;
  }

  branchByName(name: string): Branch | undefined {
    return this.meta?.branches.find((b) => b.name === name);
  }

  /** The seq HEAD stands after. */
  headSeq(): number {
    const m = this.requireMeta();
    return m.head.at ?? this.branch(m.head.branch).tipSeq;
  }

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
    let prev = branch.tipHash;
    for (let i = 0; i < applied.length; i++) {
      const seq = nextSeq + i;
      const { bytes, hash } = encodeEvent(seq, applied[i]!.atMs, nextSeq, applied[i]!.event, prev);
      this.pending.events.push({ branch: branch.id, seq, bytes });
      logged.push({ seq, atMs: applied[i]!.atMs, batch: nextSeq, event: applied[i]!.event, prevHash: prev, hash });
      prev = hash;
    }
    const record: CommandRecord = { batch: nextSeq, count: applied.length, argv: cmd.argv, on: cmd.on };
    this.pending.commands.push({ branch: branch.id, record });
    branch.tipSeq = nextSeq + applied.length - 1;
    branch.tipHash = prev;
    this.meta!.head = { branch: branch.id, at: null };
    this.metaDirty = true;
    this.state = state;
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

  /** The derived state after event `seq` of a branch's timeline: nearest snapshot, then replay. */
  async stateAt(branchId: number, seq: number): Promise<State> {
    if (seq === 0) return initialState();
    const snap = await this.log.snapshotAtOrBefore<State>(branchId, seq);
    let state = snap ? snap.state : initialState();
    for await (const chunk of this.log.rawRange(branchId, (snap?.seq ?? 0) + 1, seq)) {
      state = evolveAll(state, chunk.map((r) => decodeEvent(r.bytes).event));
    }
    return state;
  }

  /** Number of events waiting for the next flush. */
  get pendingEvents(): number {
    return this.pending.events.length;
  }

  /**
   * Writes pending batches, a snapshot when due, and the metadata, as one atomic LevelDB batch.
   * Group commit (`final` false, during `engine run`) writes events as they accumulate; the tip's state
   * hash, which costs O(state), is computed only at the final flush and with snapshots.
   * Snapshots taken during group commit carry no hash (replay checks the hashes it has: the tip's and
   * those of final-flush snapshots).
   */
  async flush(final = true): Promise<void> {
    if (!this.meta || (!this.metaDirty && this.pending.events.length === 0)) return;
    const w = this.pending;
    this.pending = { events: [], commands: [], snapshots: [], meta: null };
    if (w.events.length > 0) {
      const b = this.branch();
      const since = b.tipSeq - Math.max(b.lastSnapshotSeq, b.forkSeq);
      // A snapshot costs O(entities): take one every max(4096, entities) events so that its cost per
      // event stays bounded; the final flush leaves one at the tip (and the tip's hash) for the next open.
      const due = since >= Math.max(SNAPSHOT_MIN_EVENTS, entityCount(this.state)) || (final && since >= SNAPSHOT_MIN_EVENTS);
      const hash = final ? stateHash(this.state) : '';
      b.tipStateHash = hash;
      if (due) {
        w.snapshots.push({ branch: b.id, snapshot: { seq: b.tipSeq, stateHash: hash, state: this.state } });
        b.lastSnapshotSeq = b.tipSeq;
      }
    }
    w.meta = this.meta;
    this.metaDirty = false;
    await this.log.write(w);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.log.close();
    }
  }

  private requireMeta(): Meta {
    if (!this.meta) throw new Rejection(`the event log at ${this.log.dir} is empty: run a command first (e.g. engine host add manager1)`);
    return this.meta;
  }
}
