/**
 * The 1,000,000-event log: a 1,000-node swarm, then node updates appended through Session.execute.
 * Measures `engine replay`'s work (replayBranch) and rewinds (Session.moveHead) once the log is open.
 */
import { replayBranch } from '../src/cli/engine/admin.js';
import { Session } from '../src/engine/session.js';
import { appendUpdates, buildSwarm } from './build.js';
import { fmt, lcg, median, now, report, tempDir, timed } from './util.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const NODES = 1000;
const REPLAY_TARGET = 50_000;
const REWIND_TARGET_MS = 100;
const REWINDS = 24;

/** Builds the 1,000,000-event log, then measures replay and rewinds on it. */
export async function bigLogSection(): Promise<void> {
  const db = tempDir('biglog');
  const built = await timed(async () => {
    const ids = await buildSwarm(db, NODES);
    const s = await Session.open(db);
    const have = s.branch().tipSeq;
    await s.close();
    await appendUpdates(db, ids, EVENTS - have, 1000);
  });
  console.log(`  built a ${fmt(EVENTS)}-event log (${NODES} nodes) in process in ${fmt(built.ms / 1000)} s (${fmt(EVENTS / (built.ms / 1000))} events/s through Session.execute, 1,000 per batch)`);

  const opened = await timed(() => Session.open(db));
  const session = opened.value;
  try {
    const b = session.branch();
    console.log(`  opened at the tip (event ${fmt(b.tipSeq)}) in ${fmt(opened.ms)} ms`);

    const replay = await timed(() => replayBranch(session, b.id));
    if (replay.value.mismatch) throw new Error(`replay diverged: ${replay.value.mismatch}`);
    const rate = replay.value.events / (replay.ms / 1000);
    report({
      name: `replay of the ${fmt(replay.value.events)}-event log (replayBranch, the work of engine replay)`, value: rate, unit: 'events/s',
      versus: `${fmt(replay.ms / 1000)} s, ${replay.value.checked} hash checks; target ${fmt(REPLAY_TARGET)} events/s`,
      ratio: rate / REPLAY_TARGET, target: `>= ${fmt(REPLAY_TARGET)} events/s`, pass: rate >= REPLAY_TARGET,
    });

    // Rewinds to points spread over the whole log, in a shuffled order, then back to the tip.
    const rand = lcg(42);
    const points = Array.from({ length: REWINDS }, (_, i) => Math.max(1, Math.floor(((i + rand()) / REWINDS) * b.tipSeq)));
    points.sort(() => rand() - 0.5);
    const times: number[] = [];
    for (const at of points) {
      const t0 = now();
      await session.moveHead({ branch: b.id, at });
      times.push(now() - t0);
      if (session.headSeq() !== at) throw new Error(`rewind to ${at} landed at ${session.headSeq()}`);
    }
    const back = await timed(() => session.moveHead({ branch: b.id, at: null }));
    const all = [...times, back.ms].sort((x, y) => x - y);
    const worst = all.at(-1)!;
    const within = all.filter((t) => t <= REWIND_TARGET_MS).length;
    console.log(`  rewind times (ms, in the order run): ${times.map((t) => fmt(t)).join(' ')}; back to the tip ${fmt(back.ms)}`);
    report({
      name: `rewind anywhere in the ${fmt(b.tipSeq)}-event log, log open (Session.moveHead, ${REWINDS} points, then back to the tip)`, value: worst, unit: 'ms (worst)',
      versus: `median ${fmt(median(all))} ms, 90th percentile ${fmt(all[Math.floor(all.length * 0.9)]!)} ms, ${within}/${all.length} within target; target ${REWIND_TARGET_MS} ms`,
      ratio: worst / REWIND_TARGET_MS, target: `<= ${REWIND_TARGET_MS} ms`, pass: worst <= REWIND_TARGET_MS,
    });
  } finally {
    await session.close();
  }
}
