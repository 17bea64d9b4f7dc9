/**
 * Cost per event as the state grows: the same stream of node updates, one event per command as
 * `engine run` executes them (Session.execute: reactor, reducers, every controller, encoding; group
 * commits, snapshots and state hashes included), on a 100-node swarm and on a 10,000-node swarm; then on
 * a 100-node swarm running 1,000 and 100,000 tasks (services created with the CLI, scheduled to running).
 */
import { FLUSH_EVERY_EVENTS, Session } from '../src/engine/session.js';
import { tvalues } from '../src/state/table.js';
import { buildSwarm, updateEvents } from './build.js';
import { BufferIo } from '../src/cli/io.js';
import { runCommand } from '../src/cli/program.js';
import { engineInProcess, fmt, lcg, now, report, tempDir, writeScenario } from './util.js';

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

// ---- network objects -------------------------------------------------------------------------------------

const NET_TASKS = [500, Number(process.env.BENCH_FLAT_NET_TASKS ?? 50_000)] as const;
const NET_CYCLES = Number(process.env.BENCH_FLAT_NET_CYCLES ?? 1000);

/**
 * µs per event of `network connect` / `network disconnect` cycles of one container (endpoint, veth pair,
 * address, routes, DNS records each way), in a swarm whose overlay holds `tasks` service tasks of ten
 * services (two endpoints each: the overlay and docker_gwbridge). Commands go through the CLI's command layer on one
 * open session, as `engine run` runs its lines.
 */
async function perNetEvent(tasks: number): Promise<{ us: number; endpoints: number; events: number }> {
  const db = tempDir(`flatnet${tasks}`);
  const lines = ['host add m1 --cpus 64 --memory 256GiB', '--on m1 swarm init'];
  for (let i = 1; i < TASK_NODES; i++) lines.push(`host add n${i} --cpus 64 --memory 256GiB`);
  for (let i = 1; i < TASK_NODES; i++) lines.push(`--on n${i} swarm join --token $(swarm join-token -q worker) m1:2377`);
  // Ten services on one /16 overlay (one service of 50,000 replicas would make its `tasks.<name>` DNS
  // record and load-balancer backends, one array each, the build's cost: see docs/PERFORMANCE.md).
  lines.push('network create -d overlay --subnet 10.128.0.0/16 ov');
  for (let k = 0; k < 10; k++) lines.push(`service create -d --name s${k} --replicas ${tasks / 10} --network ov nginx`);
  lines.push('advance 30s');
  lines.push('--on m1 network create app', '--on m1 network create side', '--on m1 run -d --name probe --network app nginx');
  await engineInProcess(db, 'run', '-q', writeScenario(tempDir('flatnet-scn'), 'build.swarm', lines));
  const session = await Session.open(db);
  try {
    const endpoints = session.state.endpoints.n;
    const io = new BufferIo();
    const runLine = async (argv: string[]): Promise<number> => {
      const code = await runCommand(argv, { session, io, on: 'm1', stdin: () => Buffer.alloc(0) }, runLine);
      if (code !== 0) throw new Error(`engine ${argv.join(' ')} failed: ${io.stderr}`);
      if (session.pendingEvents >= FLUSH_EVERY_EVENTS) await session.flushBehind();
      return code;
    };
    const cycles = async (n: number): Promise<{ ms: number; events: number }> => {
      const before = session.branch().tipSeq;
      const t0 = now();
      for (let i = 0; i < n; i++) {
        await runLine(['network', 'connect', 'side', 'probe']);
        await runLine(['network', 'disconnect', 'side', 'probe']);
      }
      await session.flush();
      return { ms: now() - t0, events: session.branch().tipSeq - before };
    };
    await cycles(Math.ceil(NET_CYCLES / 5));
    const r = await cycles(NET_CYCLES);
    return { us: (r.ms * 1000) / r.events, endpoints, events: r.events };
  } finally {
    await session.close();
  }
}

/** Cost per network event with ~1,000 and ~100,000 endpoints, and their ratio. */
export async function flatNetSection(): Promise<void> {
  const few = await perNetEvent(NET_TASKS[0]);
  const many = await perNetEvent(NET_TASKS[1]);
  const ratio = many.us / few.us;
  report({
    name: `cost per network event (network connect/disconnect, ${fmt(many.events)} events) with ${fmt(many.endpoints)} endpoints`, value: many.us, unit: 'µs/event',
    versus: `with ${fmt(few.endpoints)} endpoints: ${fmt(few.us)} µs/event`, ratio, target: `<= ${TARGET_RATIO}x the small-state cost`, pass: ratio <= TARGET_RATIO,
  });
}
