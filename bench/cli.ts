/**
 * The whole process, through the CLI as a user runs it (`node bin/engine.js`, start-up and exit
 * included): a 1,000-node swarm, then 20,000 `node update` commands with `engine run`, then
 * `engine replay`, then `engine rewind` to the middle of the log and back to its tip.
 */
import { engineProcess, fmt, report, tempDir, writeScenario } from './util.js';

const NODES = 1000;
const UPDATES = Number(process.env.BENCH_CLI_UPDATES ?? 20_000);
const RUN_TARGET = 1000;
const REPLAY_TARGET = 50_000;
const REWIND_TARGET_MS = 500;

/** The whole-process figures: engine run, replay and rewind through bin/engine.js. */
export async function cliSection(): Promise<void> {
  const dir = tempDir('cli');
  const db = `${dir}/db`;
  const hosts = writeScenario(dir, 'hosts.swarm', [...Array.from({ length: NODES }, (_, i) => `host add h${i + 1}`), '--on h1 swarm init']);
  const t1 = engineProcess(db, 'run', '-q', hosts);
  const token = engineProcess(db, 'swarm', 'join-token', '-q', 'worker').stdout.trim();
  const joins = writeScenario(dir, 'joins.swarm', Array.from({ length: NODES - 1 }, (_, i) => `--on h${i + 2} swarm join --token ${token} h1:2377`));
  const t2 = engineProcess(db, 'run', '-q', joins);
  console.log(`  setup: ${NODES} host add + swarm init in ${fmt(t1.ms)} ms, ${NODES - 1} swarm join in ${fmt(t2.ms)} ms (engine run)`);

  const updates = writeScenario(dir, 'updates.swarm', Array.from({ length: UPDATES }, (_, i) =>
    `node update --label-add zone=z${i % 7} --label-add rev=${i} h${(i % NODES) + 1}`));
  const run = engineProcess(db, 'run', '-q', updates);
  const rate = UPDATES / (run.ms / 1000);
  report({
    name: `engine run of ${fmt(UPDATES)} \`node update\` lines on a ${fmt(NODES)}-node swarm (whole process)`, value: rate, unit: 'commands/s',
    versus: `${fmt(run.ms / 1000)} s; target ${fmt(RUN_TARGET)} commands/s`, ratio: rate / RUN_TARGET, target: `>= ${fmt(RUN_TARGET)} commands/s`, pass: rate >= RUN_TARGET,
  });

  const replay = engineProcess(db, 'replay', '--stats');
  const events = Number(/replayed (\d+) events/.exec(replay.stdout)?.[1]);
  const inside = Number(/, (\d+) events\/s/.exec(replay.stdout)?.[1]);
  report({
    name: `engine replay of that ${fmt(events)}-event log (engine replay --stats: the rate it reports)`, value: inside, unit: 'events/s',
    versus: `${fmt(replay.ms)} ms for the whole process, start-up included (${fmt(events / (replay.ms / 1000))} events/s); target ${fmt(REPLAY_TARGET)} events/s`,
    ratio: inside / REPLAY_TARGET, target: `>= ${fmt(REPLAY_TARGET)} events/s`, pass: inside >= REPLAY_TARGET,
  });

  const state = engineProcess(db, 'state', '--hash');
  const mid = Math.floor(events / 2);
  const there = engineProcess(db, 'rewind', '--to', 'event', String(mid));
  const back = engineProcess(db, 'rewind', '--to', 'event', String(events));
  const worst = Math.max(there.ms, back.ms);
  report({
    name: `engine rewind to event ${fmt(mid)} and back to ${fmt(events)} (whole process, each)`, value: worst, unit: 'ms (worst)',
    versus: `there ${fmt(there.ms)} ms, back ${fmt(back.ms)} ms; for scale: engine state --hash ${fmt(state.ms)} ms; target ${REWIND_TARGET_MS} ms`,
    ratio: worst / REWIND_TARGET_MS, target: `<= ${REWIND_TARGET_MS} ms`, pass: worst <= REWIND_TARGET_MS,
  });
}
