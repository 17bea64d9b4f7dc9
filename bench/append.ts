/**
 * The log's append path — msgpackr encoding, the sha256 hash chain (a command rides in its batch's first
 * event record), the metadata, one LevelDB batch per flush — against raw `level` batch writes of the very
 * same bytes, in the same run.
 */
import { Level } from 'level';
import type { EngineEvent } from '../events/index.js';
import { encodeEvent, GENESIS_HASH, hashBytes, recordHash } from '../src/log/codec.js';
import { EventLog, type PendingWrite, type PutOp } from '../src/log/store.js';
import type { Meta } from '../src/log/types.js';
import { swarmId } from '../src/sim/ids.js';
import { Prng } from '../src/sim/prng.js';
import { fmt, now, report, tempDir } from './util.js';

const EVENTS = Number(process.env.BENCH_APPEND_EVENTS ?? 200_000);
const ROUNDS = 3;
const TARGET_RATIO = 0.5;

interface Workload {
  name: string;
  /** Events per command (one atomic batch each). */
  perCommand: number;
  /** Events per flush (group commit). */
  perFlush: number;
}

const WORKLOADS: Workload[] = [
  { name: 'one event per command (like `node update`), a flush per 1,000 commands', perCommand: 1, perFlush: 1000 },
  { name: '100 events per command, a flush per 8,192 events', perCommand: 100, perFlush: 8192 },
];

/** Realistic events: label and availability changes on 1,000 nodes with swarmkit-style IDs. */
function events(): EngineEvent[] {
  const rng = new Prng(1, 1);
  const ids = Array.from({ length: 1000 }, () => swarmId(rng));
  const out: EngineEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const nodeId = ids[rng.int(ids.length)]!;
    out.push(i % 10 === 9
      ? { type: 'NodeAvailabilityChanged', nodeId, from: 'active', to: 'pause' }
      : { type: 'NodeLabelsChanged', nodeId, added: { [`k${i % 8}`]: `v${i}` }, removed: [] });
  }
  return out;
}

/** The command lines typed, as the CLI hands them over (made before the clock starts: parsing is not appending). */
function commandLines(): string[][] {
  return Array.from({ length: EVENTS }, (_, i) => ['node', 'update', '--label-add', `k=v${i + 1}`, 'h1']);
}

/** What the append path does, flush by flush: encode and chain each event, then the metadata. */
function* flushes(evs: readonly EngineEvent[], argvs: readonly string[][], w: Workload): Generator<PendingWrite> {
  const meta: Meta = { branches: [{ id: 1, name: 'main', parent: null, forkSeq: 0, tipSeq: 0, tipHash: GENESIS_HASH, tipStateHash: '', lastSnapshotSeq: 0 }], head: { branch: 1, at: null } };
  const branch = meta.branches[0]!;
  let pending: PendingWrite = { events: [], snapshots: [], head: null, meta: null };
  // As Session does: the next batch chains to the last record itself, not to its hash turned to hex and back.
  let tip: { seq: number; bytes: Buffer } | null = null;
  for (let start = 0; start < evs.length; start += w.perCommand) {
    const batch = start + 1;
    const count = Math.min(w.perCommand, evs.length - start);
    const command = { count, argv: argvs[start]!, on: null };
    let prev: Buffer = tip && tip.seq === branch.tipSeq ? tip.bytes : hashBytes(branch.tipHash);
    for (let i = 0; i < count; i++) {
      const seq = batch + i;
      prev = encodeEvent(seq, 0, batch, evs[start + i]!, prev, i === 0 ? command : undefined);
      pending.events.push({ branch: 1, seq, bytes: prev });
    }
    branch.tipSeq = batch + count - 1;
    tip = { seq: branch.tipSeq, bytes: prev };
    if (pending.events.length >= w.perFlush || start + count >= evs.length) {
      // As Session does: the tip's hash goes into the metadata as hex once per flush, not per batch.
      branch.tipHash = recordHash(prev);
      pending.meta = meta;
      yield pending;
      pending = { events: [], snapshots: [], head: null, meta: null };
    }
  }
}

/** The append path, timed: encoding, chaining and EventLog.writeBehind (group commit) into a fresh log, until all is written. */
async function appendRun(evs: readonly EngineEvent[], argvs: readonly string[][], w: Workload): Promise<{ ms: number; bytes: number }> {
  const log = await EventLog.open(tempDir('append'));
  let bytes = 0;
  const t0 = now();
  for (const p of flushes(evs, argvs, w)) {
    for (const e of p.events) bytes += e.bytes.length;
    // As `engine run` does (Session.flushBehind): the next batch is encoded while this one is written.
    await log.writeBehind(p);
  }
  await log.settle();
  const ms = now() - t0;
  await log.close();
  return { ms, bytes };
}

/** Raw level writes of the same puts (encoded beforehand, untimed), one batch per flush. */
async function rawRun(batches: readonly PutOp[][], chained: boolean): Promise<number> {
  const db = new Level<Uint8Array, Uint8Array>(tempDir('raw'), { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const t0 = now();
  for (const ops of batches) {
    if (chained) {
      const b = db.batch();
      for (const op of ops) b.put(op.key, op.value);
      await b.write();
    } else {
      await db.batch(ops.map((op) => ({ type: 'put' as const, key: op.key, value: op.value })));
    }
  }
  const ms = now() - t0;
  await db.close();
  return ms;
}

/** The append-path figures, one per workload. */
export async function appendSection(): Promise<void> {
  const evs = events();
  const argvs = commandLines();
  for (const w of WORKLOADS) {
    const scratch = await EventLog.open(tempDir('ops'));
    const batches = [...flushes(evs, argvs, w)].map((p) => scratch.encodeWrite(p));
    await scratch.close();
    const puts = batches.reduce((n, b) => n + b.length, 0);
    let append = Infinity;
    let raw = Infinity;
    let rawArray = Infinity;
    let bytes = 0;
    // Alternate the runs and keep each one's best: the machine is shared and noisy.
    for (let r = 0; r < ROUNDS; r++) {
      raw = Math.min(raw, await rawRun(batches, true));
      const a = await appendRun(evs, argvs, w);
      append = Math.min(append, a.ms);
      bytes = a.bytes;
      rawArray = Math.min(rawArray, await rawRun(batches, false));
    }
    const best = Math.min(raw, rawArray);
    const ratio = best / append;
    report({
      name: `append path, ${w.name}`, value: EVENTS / (append / 1000), unit: 'events/s',
      versus: `raw level batch writes of the same ${fmt(puts)} puts: chained batch ${fmt(EVENTS / (raw / 1000))} events/s, array batch ${fmt(EVENTS / (rawArray / 1000))} events/s (the faster one counts); ${fmt(bytes / EVENTS)} bytes/event`,
      ratio, target: `>= ${TARGET_RATIO} of raw`, pass: ratio >= TARGET_RATIO,
    });
  }
}
