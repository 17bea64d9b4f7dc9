/**
 * Cost per event as the state grows: the same stream of node updates, one event per command as
 * `engine run` executes them (Session.execute: reactor, reducers, every controller, encoding; group
 * commits, snapshots and state hashes included), on a 100-node swarm and on a 10,000-node swarm; then on
 * a 100-node swarm running 1,000 and 100,000 tasks (services created with the CLI, scheduled to running).
 */
import { FLUSH_EVERY_EVENTS, Session } from '../src/engine/session.js';
import { tvalues } from '../src/state/table.js';
import { buildSwarm, updateEvents } from './build.js';
import { engineInProcess, fmt, lcg, now, report, tempDir } from './util.js';

const SIZES = [100, 10_000] as const;
const TASKS = [1000, Number(process.env.BENCH_FLAT_TASKS ?? 100_000)] as const;
const TASK_NODES = 100;
const WARMUP = 3000;
const EVENTS = Number(process.env.BENCH_FLAT_EVENTS ?? 30_000);
const TARGET_RATIO = 2;

/** µs per event of EVENTS single-event commands on a swarm of `nodes` nodes running `tasks` tasks. */
async function perEvent(nodes: number, tasks = 0): Promise<{ us: number; entities: number; tasks: number }> {
  const db = tempDir(`flat${nodes}-${tasks}`);
  const ids = await buildSwarm(db, nodes);
  if (tasks > 0) {
    // 10 services, through the CLI as a user types them; the scheduler places them on the idle ticks.
    for (let k = 0; k < 10; k++) await engineInProcess(db, 'service', 'create', '-d', '--name', `s${k}`, '--replicas', String(tasks / 10), 'nginx');
    await engineInProcess(db, 'advance', '30s');
  }
  const session = await Session.open(db);
  const rand = lcg(nodes);
  const serial = { n: 0 };
  try {
    const run = async (count: number): Promise<number> => {
      const t0 = now();
      for (let i = 0; i < count; i++) {
        const events = updateEvents(session, ids, 1, rand, serial);
        session.execute({ argv: ['node', 'update', 'bench'], on: null }, (io) => io.emit(events));
        if (session.pendingEvents >= FLUSH_EVERY_EVENTS) await session.flushBehind();
      }
      await session.flush();
      return now() - t0;
    };
    await run(WARMUP);
    const ms = await run(EVENTS);
    const running = tvalues(session.state.tasks).filter((t) => t.state === 'running').length;
    if (running !== tasks) throw new Error(`expected ${tasks} running tasks, found ${running}`);
    return { us: (ms * 1000) / EVENTS, entities: session.state.hosts.n + session.state.nodes.n, tasks: running };
  } finally {
    await session.close();
  }
}

/** Cost per event at 100 and at 10,000 nodes, and their ratio. */
export async function flatSection(): Promise<void> {
  const small = await perEvent(SIZES[0]);
  const large = await perEvent(SIZES[1]);
  const ratio = large.us / small.us;
  report({
    name: `cost per event with ${fmt(SIZES[1])} nodes (${fmt(large.entities)} hosts and nodes), ${fmt(EVENTS)} single-event commands`, value: large.us, unit: 'µs/event',
    versus: `with ${SIZES[0]} nodes: ${fmt(small.us)} µs/event`, ratio, target: `<= ${TARGET_RATIO}x the 100-node cost`, pass: ratio <= TARGET_RATIO,
  });
  const few = await perEvent(TASK_NODES, TASKS[0]);
  const many = await perEvent(TASK_NODES, TASKS[1]);
  const tratio = many.us / few.us;
  report({
    name: `cost per event with ${fmt(many.tasks)} running tasks on ${TASK_NODES} nodes, ${fmt(EVENTS)} single-event commands`, value: many.us, unit: 'µs/event',
    versus: `with ${fmt(few.tasks)} tasks: ${fmt(few.us)} µs/event`, ratio: tratio, target: `<= ${TARGET_RATIO}x the ${fmt(TASKS[0])}-task cost`, pass: tratio <= TARGET_RATIO,
  });
}
