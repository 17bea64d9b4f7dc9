/**
 * Scale figures of the Swarm model (Swarm2k, scheduling, tasks, networks, IP allocation), kept from the
 * first bench (commit 82e1839) as sections that `npm run bench` runs only when named:
 * `node dist/bench/run.js swarm2k sched pertask net ipam`. Each runs the CLI as a separate process.
 * BENCH_QUICK=1 shrinks the sizes for a smoke run.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextAddress, parseCidr } from '../src/net/ipam.js';
import { ENGINE_BIN, ENGINE_NODE_FLAGS, fmt as fmt0, now, tempDir } from './util.js';

const QUICK = !!process.env.BENCH_QUICK;
const fmt = (n: number, d = 0): string => (d === 0 ? fmt0(n) : n.toFixed(d));
const tmp = (p: string): string => tempDir(p);
const report = (line: string): void => console.log(`  ${line}`);

/** Runs the CLI as a separate process; returns wall seconds and peak RSS (GNU time). */
function cli(db: string, argv: string[], input?: string): { secs: number; rssMb: number; out: string } {
  const t0 = now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...ENGINE_NODE_FLAGS, ENGINE_BIN, '--db', db, ...argv], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
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

// --- 6. Swarm2k ------------------------------------------------------------------------------------
export function swarm2k(): void {
  swarmAtScale(QUICK ? 240 : 2384, QUICK ? 950 : 9500, 'Swarm2k', ' (targets: < 60 s, < 2 GiB)');
}

/** The larger variant the services issue asks to report: 10,000 nodes, 100,000 tasks. */
export function swarm10k(): void {
  swarmAtScale(QUICK ? 1000 : 10_000, QUICK ? 1000 : 10_000, '10k nodes', ' (reported: no target)');
}

/** `n` nodes joining, ten services of `replicas` replicas, advance 120s, through one `engine run`. */
function swarmAtScale(n: number, replicas: number, label: string, targets: string): void {
  const lines = swarmLines(n, ' --cpus 64 --memory 256GiB');
  for (let k = 0; k < 10; k++) lines.push(`service create -d --name s${k} --replicas ${replicas} nginx`);
  lines.push('advance 120s');
  const db = tmp('swarm2k');
  const r = cli(db, ['run', '-q', scenario('swarm2k', lines)]);
  const ls = cli(db, ['service', 'ls', '--format', 'json']).out.trim().split('\n').map((l) => JSON.parse(l) as { Replicas: string });
  const ok = ls.filter((x) => x.Replicas === `${replicas}/${replicas}`).length;
  report(`${label}: ${fmt(n)} nodes joining, 10 services x ${fmt(replicas)} replicas, advance 120s, via engine run: ${fmt(r.secs, 1)} s, peak ${fmt(r.rssMb)} MiB; ${ok}/10 services at ${replicas}/${replicas}${targets}`);
}

// --- 7. scheduling cost per task at 100 vs 10,000 nodes -----------------------------------------------
export function scheduling(): void {
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
export function perEventTasks(): void {
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
export function networks(): void {
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

/** IP allocation cost per address with 100 and with 100,000 addresses allocated. */
export function ipAllocation(): void {
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

