/**
 * `npm run bench`: the performance figures of docs/PERFORMANCE.md, each with what it is compared with
 * in the same run (the machine is small and noisy: ratios, medians). Wall-clock time is allowed here
 * (benchmarks measure it); the engine itself never reads it.
 *
 *   npm run bench               every figure (a few minutes)
 *   npm run bench -- --quick    smaller sizes, for a smoke run
 *   npm run bench -- --only swarm2k,replay
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { EngineEvent } from '../events/index.js';
import { replayBranch } from '../src/cli/engine/admin.js';
import { Session } from '../src/engine/session.js';
import { encodeEvent, GENESIS_HASH, seqKey, KIND_EVENT } from '../src/log/codec.js';
import { nextAddress, parseCidr } from '../src/net/ipam.js';
import { swarmId } from '../src/sim/ids.js';
import { Prng } from '../src/sim/prng.js';
import { evolve, initialState } from '../src/state/index.js';
import type { State } from '../src/state/types.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.find((a) => a.startsWith('--only'))?.split('=')[1] ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const want = (name: string): boolean => !ONLY || ONLY.split(',').includes(name);
const ENGINE = join(import.meta.dirname, '..', '..', 'bin', 'engine.js');
const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), `swarm-bench-${p}-`));
  dirs.push(d);
  return d;
};
const now = (): number => performance.now();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const results: string[] = [];
function report(line: string): void {
  results.push(line);
  console.log(line);
}

/** Runs the CLI as a separate process; returns wall seconds and peak RSS (GNU time). */
function cli(db: string, argv: string[], input?: string): { secs: number; rssMb: number; out: string } {
  const t0 = now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ENGINE, '--db', db, ...argv], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const secs = (now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`engine ${argv.join(' ')} failed: ${r.stderr.slice(0, 2000)}`);
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  return { secs, rssMb: rssKb / 1024, out: r.stdout };
}

function scenario(name: string, lines: string[]): string {
  const f = join(tmp('scn'), `${name}.swarm`);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** A swarm of n nodes (1 manager) as scenario lines. */
function swarmLines(n: number, resources = ''): string[] {
  const l = [`host add m1${resources}`, '--on m1 swarm init'];
  for (let i = 1; i < n; i++) l.push(`host add n${i}${resources}`);
  for (let i = 1; i < n; i++) l.push(`--on n${i} swarm join --token $(swarm join-token -q worker) m1:2377`);
  return l;
}

// --- 1. the log's append path vs raw level batch writes of the same bytes ---------------------------
async function appendPath(): Promise<void> {
  const N = QUICK ? 50_000 : 300_000;
  const events: EngineEvent[] = Array.from({ length: N }, (_, i) => ({ type: 'NodeLabelsChanged', nodeId: 'x'.repeat(25), added: { [`k${i % 7}`]: `v${i}` }, removed: [] }));
  const runs: { engine: number; raw: number }[] = [];
  for (let r = 0; r < 3; r++) {
    // engine: encode (msgpackr) + hash chain + batch write, 1,000 events per batch
    const d1 = tmp('append');
    const db1 = new Level<Uint8Array, Uint8Array>(d1, { keyEncoding: 'view', valueEncoding: 'view' });
    await db1.open();
    let prev = GENESIS_HASH;
    const t0 = now();
    const raw: { key: Buffer; value: Buffer }[] = [];
    for (let b = 0; b < N; b += 1000) {
      const ops = [];
      for (let i = b; i < Math.min(N, b + 1000); i++) {
        const { bytes, hash } = encodeEvent(i + 1, 0, b + 1, events[i]!, prev);
        prev = hash;
        const key = seqKey(KIND_EVENT, 1, i + 1);
        ops.push({ type: 'put' as const, key, value: bytes });
        raw.push({ key, value: bytes });
      }
      await db1.batch(ops);
    }
    const engine = (now() - t0) / 1000;
    await db1.close();
    // raw: the same bytes, already encoded, written in the same batches
    const d2 = tmp('raw');
    const db2 = new Level<Uint8Array, Uint8Array>(d2, { keyEncoding: 'view', valueEncoding: 'view' });
    await db2.open();
    const t1 = now();
    for (let b = 0; b < N; b += 1000) await db2.batch(raw.slice(b, b + 1000).map((x) => ({ type: 'put' as const, key: x.key, value: x.value })));
    const rawSecs = (now() - t1) / 1000;
    await db2.close();
    runs.push({ engine, raw: rawSecs });
  }
  const e = median(runs.map((r) => N / r.engine));
  const w = median(runs.map((r) => N / r.raw));
  report(`append path: ${fmt(e)} events/s (encode + hash chain + batch write) vs raw level batches of the same bytes ${fmt(w)} events/s: ratio ${fmt((e / w) * 100)}% (target >= 50%)`);
}

// --- 2/3. a 1,000,000-event log: replay speed, rewind after open -----------------------------------
async function bigLog(): Promise<void> {
  const N = QUICK ? 100_000 : 1_000_000;
  const db = tmp('biglog');
  const t0 = now();
  {
    const s = await Session.open(db);
    s.init(1, ['init']);
    // 1,000 hosts and a swarm of them, through the real commands' events, then label churn.
    s.execute({ argv: ['bench', 'hosts'], on: null }, (io) => {
      const evs: EngineEvent[] = [];
      for (let i = 0; i < 1000; i++) evs.push({ type: 'HostAdded', name: `h${i}`, ip: `10.1.${i >> 8}.${i & 255}`, nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: '28.2.2' });
      io.emit(evs);
    });
    const ids: string[] = [];
    s.execute({ argv: ['bench', 'swarm'], on: null }, (io) => {
      const nodeId = swarmId(io.rng);
      ids.push(nodeId);
      io.emit([{ type: 'SwarmInitialized', swarmId: swarmId(io.rng), caDigest: 'a'.repeat(64), workerTokenSecret: 'w'.repeat(25), managerTokenSecret: 'm'.repeat(25), nodeId, host: 'h0', advertiseAddr: '10.1.0.0', dataPathAddr: '10.1.0.0', listenPort: 2377, availability: 'active', defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789, heartbeatPeriodMs: 5000, taskHistoryLimit: 5 }]);
      for (let i = 1; i < 1000; i++) {
        const id = swarmId(io.rng);
        ids.push(id);
        io.emit([{ type: 'NodeJoined', nodeId: id, host: `h${i}`, role: 'worker', advertiseAddr: `10.1.${i >> 8}.${i & 255}`, dataPathAddr: `10.1.${i >> 8}.${i & 255}`, availability: 'active' }]);
      }
    });
    await s.flush();
    let i = 0;
    while (s.branch().tipSeq < N) {
      s.execute({ argv: ['bench', 'labels'], on: null }, (io) => {
        const evs: EngineEvent[] = [];
        for (let k = 0; k < 1000; k++, i++) evs.push({ type: 'NodeLabelsChanged', nodeId: ids[i % ids.length]!, added: { [`k${i % 7}`]: `v${i}` }, removed: [] });
        io.emit(evs);
      });
      if (s.pendingEvents >= 50_000) await s.flush(false);
    }
    await s.close();
  }
  const built = (now() - t0) / 1000;
  const s = await Session.open(db);
  const tip = s.branch().tipSeq;
  const t1 = now();
  const r = await replayBranch(s, s.head.branch);
  const secs = (now() - t1) / 1000;
  if (r.mismatch) throw new Error(r.mismatch);
  report(`replay of a ${fmt(tip)}-event log (1,000-node swarm + label churn): ${fmt(r.events / secs)} events/s (${fmt(secs, 2)} s; target >= 50,000 events/s); log built in process in ${fmt(built, 1)} s`);
  const rng = new Prng(7, 1);
  const times: number[] = [];
  for (let k = 0; k < 15; k++) {
    const at = 1 + rng.int(tip - 1);
    const t2 = now();
    await s.moveHead({ branch: s.head.branch, at });
    times.push(now() - t2);
  }
  await s.moveHead({ branch: s.head.branch, at: null });
  await s.close();
  report(`rewind --to a random event of that log, after open: median ${fmt(median(times), 1)} ms, max ${fmt(Math.max(...times), 1)} ms over 15 points (target <= 100 ms)`);
  const tOpen = cli(db, ['state', '--hash']).secs;
  const mid = Math.floor(tip / 2);
  const back = cli(db, ['rewind', '--to', String(mid)]).secs;
  const fwd = cli(db, ['rewind', '--to', String(tip)]).secs;
  report(`whole process on that log: state --hash ${fmt(tOpen * 1000)} ms, rewind to the middle ${fmt(back * 1000)} ms and back ${fmt(fwd * 1000)} ms`);
}

// --- 4. cost per event flat in the number of nodes (100 vs 10,000) ---------------------------------
function perEventNodes(): void {
  const costs: Record<number, number> = {};
  for (const n of [100, 10_000]) {
    let s: State = initialState();
    s = evolve(s, { type: 'LogInitialized', seed: 1, epochMs: 0, engineVersion: 'x' });
    const ids: string[] = [];
    const rng = new Prng(1, n);
    for (let i = 0; i < n; i++) s = evolve(s, { type: 'HostAdded', name: `h${i}`, ip: '10.0.0.1', nanoCpus: 1, memoryBytes: 1, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: 'x' });
    s = evolve(s, { type: 'SwarmInitialized', swarmId: 's', caDigest: 'a'.repeat(64), workerTokenSecret: 'w', managerTokenSecret: 'm', nodeId: 'n0', host: 'h0', advertiseAddr: 'a', dataPathAddr: 'a', listenPort: 2377, availability: 'active', defaultAddrPool: [], subnetSize: 24, dataPathPort: 4789, heartbeatPeriodMs: 5000, taskHistoryLimit: 5 });
    ids.push('n0');
    for (let i = 1; i < n; i++) {
      const id = swarmId(rng);
      ids.push(id);
      s = evolve(s, { type: 'NodeJoined', nodeId: id, host: `h${i}`, role: 'worker', advertiseAddr: 'a', dataPathAddr: 'a', availability: 'active' });
    }
    const M = 20_000;
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = now();
      for (let i = 0; i < M; i++) s = evolve(s, { type: 'NodeLabelsChanged', nodeId: ids[(i * 7919) % n]!, added: { k: `v${i}` }, removed: [] });
      samples.push(((now() - t0) * 1000) / M);
    }
    costs[n] = median(samples);
  }
  report(`cost per event (node label change through the reducers): ${fmt(costs[100]!, 2)} µs with 100 nodes, ${fmt(costs[10_000]!, 2)} µs with 10,000 nodes: ratio ${fmt(costs[10_000]! / costs[100]!, 2)} (target <= 2)`);
}

// --- 5. whole process: 1,000-node swarm + 20,000 node updates; replay; rewind ------------------------
function cliThroughput(): void {
  const n = QUICK ? 200 : 1000;
  const m = QUICK ? 4000 : 20_000;
  const db = tmp('cli');
  const setup = cli(db, ['run', '-q', scenario('swarm', swarmLines(n))]);
  const updates: string[] = [];
  for (let i = 0; i < m; i++) updates.push(`node update --label-add k${i % 7}=v${i} n${1 + (i % (n - 1))}`);
  const run = cli(db, ['run', '-q', scenario('updates', updates)]);
  report(`engine run: a ${n}-node swarm set up in ${fmt(setup.secs, 1)} s, then ${fmt(m)} node update commands at ${fmt(m / run.secs)} commands/s (${fmt(run.secs, 1)} s, whole process; target >= 1,000/s)`);
  const rep = cli(db, ['replay', '--stats']);
  const evs = Number(/replayed (\d+) events/.exec(rep.out)?.[1]);
  const inner = Number(/(\d+) events\/s/.exec(rep.out)?.[1]);
  report(`engine replay of that log (${fmt(evs)} events): ${fmt(evs / rep.secs)} events/s whole process, ${fmt(inner)} events/s inside (target >= 50,000)`);
  const back = cli(db, ['rewind', '--to', String(Math.floor(evs / 2))]);
  const fwd = cli(db, ['rewind', '--to', String(evs)]);
  report(`engine rewind to the middle ${fmt(back.secs * 1000)} ms, and back to the tip ${fmt(fwd.secs * 1000)} ms (whole process each; target <= 500 ms)`);
}

// --- 6. Swarm2k ------------------------------------------------------------------------------------
function swarm2k(): void {
  const n = QUICK ? 240 : 2384;
  const replicas = QUICK ? 950 : 9500;
  const lines = swarmLines(n, ' --cpus 64 --memory 256GiB');
  for (let k = 0; k < 10; k++) lines.push(`service create -d --name s${k} --replicas ${replicas} nginx`);
  lines.push('advance 120s');
  const db = tmp('swarm2k');
  const r = cli(db, ['run', '-q', scenario('swarm2k', lines)]);
  const ls = cli(db, ['service', 'ls', '--format', 'json']).out.trim().split('\n').map((l) => JSON.parse(l) as { Replicas: string });
  const ok = ls.filter((x) => x.Replicas === `${replicas}/${replicas}`).length;
  report(`Swarm2k: ${fmt(n)} nodes joining, 10 services x ${fmt(replicas)} replicas, advance 120s, via engine run: ${fmt(r.secs, 1)} s, peak ${fmt(r.rssMb)} MiB; ${ok}/10 services at ${replicas}/${replicas} (targets: < 60 s, < 2 GiB)`);
}

// --- 7. scheduling cost per task at 100 vs 10,000 nodes -----------------------------------------------
function scheduling(): void {
  const per: Record<number, number> = {};
  for (const n of QUICK ? [100, 2000] : [100, 10_000]) {
    const db = tmp(`sched${n}`);
    cli(db, ['run', '-q', scenario('nodes', swarmLines(n))]);
    const k = 5000;
    const r = cli(db, ['service', 'create', '-d', '--name', 'web', '--replicas', String(k), 'nginx']);
    const base = cli(db, ['service', 'create', '-d', '--name', 'one', '--replicas', '1', 'nginx']);
    per[n] = ((r.secs - base.secs) * 1e6) / (k - 1);
  }
  const [a, b] = Object.keys(per).map(Number) as [number, number];
  report(`scheduling a task (service create of 5,000 replicas, minus a 1-replica create, per task, whole lifecycle to running): ${fmt(per[a]!, 1)} µs at ${fmt(a)} nodes, ${fmt(per[b]!, 1)} µs at ${fmt(b)} nodes: ratio ${fmt(per[b]! / per[a]!, 2)}`);
}

// --- 8. cost per event flat in the number of tasks (1,000 vs 100,000) ------------------------------
function perEventTasks(): void {
  const cost: Record<number, number> = {};
  for (const t of QUICK ? [1000, 20_000] : [1000, 100_000]) {
    const db = tmp(`tasks${t}`);
    cli(db, ['run', '-q', scenario('s', [...swarmLines(100, ' --cpus 64 --memory 256GiB'), `service create -d --name big --replicas ${t} nginx`])]);
    // the same work on both: 2,000 label changes on nodes (each a batch through every controller)
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(`node update --label-add k=v${i} n${1 + (i % 99)}`);
    const r = cli(db, ['run', '-q', scenario('u', lines)]);
    cost[t] = (r.secs * 1e6) / 2000;
  }
  const [a, b] = Object.keys(cost).map(Number) as [number, number];
  report(`cost per command (node update, whole process / 2,000) with ${fmt(a)} tasks ${fmt(cost[a]!, 0)} µs, with ${fmt(b)} tasks ${fmt(cost[b]!, 0)} µs: ratio ${fmt(cost[b]! / cost[a]!, 2)} (target <= 2; includes opening a larger snapshot once)`);
}

// --- 9/10/11. networks ----------------------------------------------------------------------------
function networks(): void {
  const n = QUICK ? 100 : 1000;
  const tasks = QUICK ? 2000 : 20_000;
  const lines = swarmLines(n, ' --cpus 64 --memory 256GiB');
  for (let k = 0; k < 50; k++) lines.push(`network create -d overlay --subnet 10.${100 + Math.floor(k / 8)}.${(k % 8) * 32}.0/19 net${k}`);
  for (let k = 0; k < 50; k++) lines.push(`service create -d --name s${k} --replicas ${tasks / 50} --network net${k} nginx`);
  const db = tmp('net');
  const r = cli(db, ['run', '-q', scenario('net', lines)]);
  const counts = JSON.parse(cli(db, ['state', '--json']).out) as Record<string, Record<string, unknown>>;
  const objs = ['netns', 'links', 'endpoints', 'routes', 'dns', 'addresses'].map((k) => `${Object.keys(counts[k] ?? {}).length} ${k}`).join(', ');
  report(`networks: ${fmt(n)} nodes, ${fmt(tasks)} tasks over 50 overlays, every namespace, interface, rule and DNS record: ${fmt(r.secs, 1)} s whole run (target < 30 s); ${objs}`);
}

function ipAllocation(): void {
  const sub = parseCidr('10.0.0.0/8')!;
  const per: Record<number, number> = {};
  for (const used of [100, 100_000]) {
    const taken = new Set<number>();
    let pool = { next: 0, released: [] as number[] };
    for (let i = 0; i < used; i++) {
      const r = nextAddress(sub, null, pool, true, (o) => taken.has(o))!;
      taken.add(r.ip);
      pool = r.pool;
    }
    const M = 100_000;
    const t0 = now();
    for (let i = 0; i < M; i++) {
      const r = nextAddress(sub, null, pool, true, (o) => taken.has(o))!;
      taken.add(r.ip);
      pool = r.pool;
    }
    per[used] = ((now() - t0) * 1e6) / M / 1000;
  }
  report(`IP allocation (serial, /8 pool): ${fmt(per[100]!, 3)} µs per address with 100 allocated, ${fmt(per[100_000]!, 3)} µs with 100,000: ratio ${fmt(per[100_000]! / per[100]!, 2)} (O(1) amortised)`);
}

async function main(): Promise<void> {
  console.log(`swarm-engine bench — node ${process.version}, ${QUICK ? 'quick' : 'full'} sizes${ONLY ? `, only ${ONLY}` : ''}`);
  try {
    if (want('append')) await appendPath();
    if (want('replay')) await bigLog();
    if (want('pernode')) perEventNodes();
    if (want('cli')) cliThroughput();
    if (want('swarm2k')) swarm2k();
    if (want('sched')) scheduling();
    if (want('pertask')) perEventTasks();
    if (want('net')) networks();
    if (want('ipam')) ipAllocation();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  console.log('\nsummary:\n' + results.map((r) => `- ${r}`).join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
