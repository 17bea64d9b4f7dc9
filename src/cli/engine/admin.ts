/** Engine verbs for the log itself: init, advance, replay, verify, export, import. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { reject } from '../../commands/rejection.js';
import { CONTROLLERS } from '../../controllers/index.js';
import { checkEvent, GENESIS_HASH, packr } from '../../log/codec.js';
import { parseDurationMs, formatDurationMs } from '../../sim/duration.js';
import { stateHash } from '../../state/hash.js';
import { evolveAll, initialState } from '../../state/index.js';
import type { State } from '../../state/types.js';
import type { Session } from '../../engine/session.js';
import { exec, type CliContext } from '../context.js';

/** The earliest deadline any controller has pending. */
function nextDeadline(s: State): number | null {
  let min: number | null = null;
  for (const c of CONTROLLERS) {
    const d = c.nextDeadline?.(s) ?? null;
    if (d !== null && (min === null || d < min)) min = d;
  }
  return min;
}

/** Events between two snapshot checks of a replay, at least: each check stops the batched replay and hashes the state. */
export const REPLAY_CHECK_EVERY = 32_768;

/**
 * Rebuilds a branch's state from its events alone, checking it against the hashes recorded when the
 * events were first applied: at snapshots (one every REPLAY_CHECK_EVERY events or more) and at the tip.
 */
export async function replayBranch(session: Session, branchId: number): Promise<{ events: number; hash: string; checked: number; mismatch: string | null }> {
  const b = session.branch(branchId);
  const snaps = await session.log.snapshotHashes(b.id, b.tipSeq);
  const checkpoints: number[] = [];
  for (const seq of [...snaps.keys()].sort((x, y) => x - y)) {
    if (seq - (checkpoints.at(-1) ?? 0) >= REPLAY_CHECK_EVERY) checkpoints.push(seq);
  }
  let next = 0; // index of the next checkpoint to reach
  let state = initialState();
  let events = 0;
  let checked = 0;
  let mismatch: string | null = null;
  for await (const chunk of session.log.events(b.id, 1, b.tipSeq)) {
    const first = chunk.last - chunk.events.length + 1;
    let done = 0;
    // Apply the chunk in pieces that end at checkpoints, hashing the state there.
    while (next < checkpoints.length && checkpoints[next]! <= chunk.last) {
      const seq = checkpoints[next++]!;
      state = evolveAll(state, chunk.events.slice(done, seq - first + 1));
      done = seq - first + 1;
      checked++;
      const got = stateHash(state);
      const want = snaps.get(seq)!;
      if (got !== want && !mismatch) mismatch = `after event ${seq} the replayed state hashes to ${got.slice(0, 16)}…, the snapshot recorded ${want.slice(0, 16)}…`;
    }
    state = evolveAll(state, done === 0 ? chunk.events : chunk.events.slice(done));
    events += chunk.events.length;
  }
  const hash = stateHash(state);
  checked++;
  if (b.tipStateHash && hash !== b.tipStateHash && !mismatch) mismatch = `the replayed state at the tip (event ${b.tipSeq}) hashes to ${hash.slice(0, 16)}…, the log recorded ${b.tipStateHash.slice(0, 16)}…`;
  return { events, hash, checked, mismatch };
}

export function registerAdmin(program: Command, ctx: CliContext): void {
  program.command('init').description('Create the event log with a seed (otherwise the first command creates it with seed 1)')
    .option('--seed <n>', 'the root seed of every random choice', '1')
    .action(async (o: { seed: string }) => {
      if (!/^\d+$/.test(o.seed) || Number(o.seed) > 0xffffffff) reject(`invalid seed "${o.seed}": use an integer from 0 to 4294967295`);
      ctx.session.init(Number(o.seed), ctx.argv);
      ctx.io.out(`initialized the event log at ${ctx.session.log.dir} with seed ${o.seed}\n`);
    });

  program.command('advance <duration>').description('Let virtual time pass (Go durations: 450ms, 30s, 1h30m); deadlines fire in order')
    .action(async (d: string) => {
      const ms = parseDurationMs(d);
      if (ms === null) reject(`invalid duration "${d}": use Go's syntax, e.g. 450ms, 30s, 2m, 1h30m`);
      if (ms < 0) reject(`invalid duration "${d}": time only moves forward`);
      const r = await exec(ctx, (io) => {
        const target = io.state().sim.nowMs + ms;
        for (let i = 0; i < 1_000_000; i++) {
          const now = io.state().sim.nowMs;
          const next = nextDeadline(io.state());
          if (next === null || next > target || next <= now) break;
          io.emit([{ type: 'ClockAdvanced', fromMs: now, toMs: next }]);
        }
        const now = io.state().sim.nowMs;
        if (now < target) io.emit([{ type: 'ClockAdvanced', fromMs: now, toMs: target }]);
      });
      ctx.io.out(`virtual time is ${formatDurationMs(r.state.sim.nowMs)} (${r.events.length} events)\n`);
    });

  program.command('replay').description('Rebuild the state from the log alone and check it against the recorded hashes')
    .option('--stats', 'print the replay speed')
    .action(async (o: { stats?: boolean }) => {
      await ctx.session.flush();
      const t0 = performance.now();
      const r = await replayBranch(ctx.session, ctx.session.head.branch);
      const secs = (performance.now() - t0) / 1000;
      if (r.mismatch) reject(`replay diverged: ${r.mismatch}`);
      ctx.io.out(`replayed ${r.events} events of ${ctx.session.branch().name}: state ${r.hash} matches the recorded hash (${r.checked} checkpoints)\n`);
      if (o.stats) ctx.io.out(`${secs.toFixed(3)} s, ${Math.round(r.events / secs)} events/s\n`);
    });

  program.command('verify').description('Check the hash chain of every branch and that replaying reproduces the recorded state')
    .action(async () => {
      const ss = ctx.session;
      await ss.flush();
      let total = 0;
      for (const b of ss.meta!.branches) {
        let prev = b.parent === null ? GENESIS_HASH : (await ss.log.event(b.parent, b.forkSeq))?.hash ?? GENESIS_HASH;
        if (b.forkSeq === 0) prev = GENESIS_HASH;
        let expectSeq = b.parent === null ? 1 : b.forkSeq + 1;
        for await (const chunk of ss.log.rawRange(b.id, expectSeq, b.tipSeq)) {
          for (const raw of chunk) {
            if (raw.seq !== expectSeq) reject(`event ${expectSeq} of branch ${b.name} is missing`);
            const c = checkEvent(raw.bytes, prev);
            if (!c.ok) reject(`event ${raw.seq} of branch ${b.name} is corrupt: ${c.reason}`);
            if (c.record.seq !== raw.seq) reject(`event ${raw.seq} of branch ${b.name} is corrupt: it says it is event ${c.record.seq}`);
            prev = c.record.hash;
            expectSeq++;
            total++;
          }
        }
        if (expectSeq !== b.tipSeq + 1) reject(`event ${expectSeq} of branch ${b.name} is missing`);
        if (prev !== b.tipHash) reject(`branch ${b.name}: the last event's hash does not match the recorded tip`);
        const r = await replayBranch(ss, b.id);
        if (r.mismatch) reject(`branch ${b.name}: replay diverged: ${r.mismatch}`);
      }
      ctx.io.out(`ok: ${total} events in ${ss.meta!.branches.length} branch${ss.meta!.branches.length === 1 ? '' : 'es'}; hash chains intact; every replay matches its recorded state\n`);
    });

  program.command('export <file>').description('Write the whole recording (every branch) to one file')
    .action(async (file: string) => {
      await ctx.session.flush();
      if (!ctx.session.initialized) reject('the event log is empty: nothing to export');
      const entries: [Uint8Array, Uint8Array][] = [];
      for await (const e of ctx.session.log.entries()) entries.push([Buffer.from(e[0]), Buffer.from(e[1])]);
      writeFileSync(file, packr.pack({ format: 'swarm-engine-recording', version: 1, entries }));
      ctx.io.out(`exported ${entries.length} records to ${file}\n`);
    });

  program.command('import <file>').description('Load a recording made by export into an empty log')
    .action(async (file: string) => {
      if (ctx.session.initialized) reject(`the event log at ${ctx.session.log.dir} is not empty: import into a new --db folder`);
      let data: { format?: string; version?: number; entries?: [Uint8Array, Uint8Array][] };
      try {
        data = packr.unpack(readFileSync(file)) as typeof data;
      } catch (e) {
        reject(`cannot read recording ${file}: ${(e as Error).message.split('\n')[0]}`);
      }
      if (data?.format !== 'swarm-engine-recording' || data.version !== 1 || !Array.isArray(data.entries)) reject(`${file} is not a swarm-engine recording`);
      await ctx.session.log.putEntries(data.entries);
      await ctx.session.reload();
      ctx.io.out(`imported ${data.entries.length} records from ${file}; run engine verify to check them\n`);
    });
}
