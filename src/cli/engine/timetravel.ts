/** The engine's own verbs for time travel: log, show, rewind, step, diff, state, branch, checkout, find. */
import type { Command } from 'commander';
import type { Patch } from 'immer';
import type { EngineEvent, EventType, LoggedEvent } from '../../../events/index.js';
import { EVENT_TYPES } from '../../../events/index.js';
import { reject } from '../../commands/rejection.js';
import { formatDurationMs } from '../../sim/duration.js';
import { stateHash } from '../../state/hash.js';
import { evolve, evolveWithPatches } from '../../state/index.js';
import { plainState } from '../../state/plain.js';
import { TABLE_SLICES, type State } from '../../state/types.js';
import { flattenPath, tkeysSorted, type Table } from '../../state/table.js';
import { containerLabel, describe, networkLabel, nodeLabel, serviceLabel, subjects, taskLabel, taskName } from '../../timetravel/describe.js';
import { diffStates, type EntityChange } from '../../timetravel/diff.js';
import { summarize } from '../../timetravel/summary.js';

/** Derived indexes: shown by `diff --all` only. */
const INDEX_SLICES: ReadonlySet<string> = new Set(['slots', 'placements', 'nodeTasks', 'unallocated', 'pending', 'delayed']);
import { compilePredicate } from '../../timetravel/find.js';
import type { CliContext } from '../context.js';
import { collect, uintFlag } from '../flags.js';
import { resolvePoint } from './points.js';
import { tget, tvalues } from '../../state/table.js';
import { clusterSummary } from '../render/summary.js';

function eventLine(r: LoggedEvent, s: State | null, headSeq: number): string {
  const mark = r.seq === headSeq ? ' ← HEAD' : '';
  return `${String(r.seq).padStart(6)}  ${formatDurationMs(r.atMs).padStart(8)}  ${r.event.type.padEnd(24)} ${describe(r.event, s)}${mark}\n`;
}

function jsonEvent(r: LoggedEvent): string {
  return JSON.stringify({ seq: r.seq, atMs: r.atMs, batch: r.batch, type: r.event.type, event: r.event, prevHash: r.prevHash, hash: r.hash }) + '\n';
}

export function registerTimeTravel(program: Command, ctx: CliContext): void {
  const session = () => ctx.session;

  program.command('log').description('List the events of the current timeline')
    .option('--type <type>', 'only events of this type (repeatable)', collect, [])
    .option('--node <node>', 'only events about this node (hostname or ID prefix) or host')
    .option('--from <n>', 'first event', uintFlag('--from'))
    .option('--to <n>', 'last event', uintFlag('--to'))
    .option('-n, --limit <n>', 'at most this many events (the latest)', uintFlag('--limit'))
    .option('--json', 'one JSON object per line')
    .action(async (o: { type: string[]; node?: string; from?: number; to?: number; limit?: number; json?: boolean }) => {
      const ss = session();
      await ss.flush();
      for (const t of o.type) if (!EVENT_TYPES.includes(t as EventType)) reject(`unknown event type "${t}" (see docs/events.md)`);
      const b = ss.branch();
      const to = Math.min(o.to ?? b.tipSeq, b.tipSeq);
      const from = o.from ?? 1;
      const headSeq = ss.headSeq();
      // Names of nodes as they were known while scanning, so that removed nodes still read well.
      const ids = new Map<string, string>();
      const lines: string[] = [];
      const matchNode = (e: EngineEvent): boolean => {
        if (!o.node) return true;
        return subjects(e).some((x) => x === o.node || (x.length === 25 && (x.startsWith(o.node!) || ids.get(x) === o.node)));
      };
      const ctxState = ss.state;
      // With --node, scan from the start so that nodes that joined before --from are known by name.
      for await (const chunk of ss.log.range(b.id, o.node ? 1 : from, to)) {
        for (const r of chunk) {
          const e = r.event;
          if (e.type === 'NodeJoined' || e.type === 'SwarmInitialized') ids.set(e.nodeId, e.host);
          if (r.seq < from) continue;
          if (o.type.length && !o.type.includes(e.type)) continue;
          if (!matchNode(e)) continue;
          lines.push(o.json ? jsonEvent(r) : eventLine(r, ctxState, headSeq));
        }
      }
      const shown = o.limit !== undefined ? lines.slice(-o.limit) : lines;
      ctx.io.out(shown.join(''));
    });

  program.command('show <n>').description('One event: what caused it and the state change it made')
    .option('--json', 'as JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const ss = session();
      await ss.flush();
      const p = resolvePoint(ss, ref);
      if (p.seq === 0) reject('event 0 is the empty state before the log; events start at 1');
      const r = (await ss.log.event(p.branch, p.seq))!;
      const cmd = await ss.log.command(p.branch, r.batch);
      const before = await ss.stateAt(p.branch, p.seq - 1);
      const [after, patches] = evolveWithPatches(before, r.event);
      const changes = entityPatches(patches, before, after);
      if (o.json) {
        ctx.io.out(JSON.stringify({ seq: r.seq, atMs: r.atMs, batch: r.batch, event: r.event, command: cmd ?? null, hash: r.hash, prevHash: r.prevHash, patches: changes }, null, 2) + '\n');
        return;
      }
      const end = cmd ? cmd.batch + cmd.count - 1 : r.seq;
      ctx.io.out(`event ${r.seq} at ${formatDurationMs(r.atMs)} (batch ${r.batch}–${end})\n`);
      if (cmd) ctx.io.out(`command: engine${cmd.on ? ` --on ${cmd.on}` : ''} ${cmd.argv.join(' ')}\n`);
      ctx.io.out(`${r.event.type}: ${describe(r.event, after)}\n`);
      ctx.io.out(`  ${JSON.stringify(r.event)}\n`);
      ctx.io.out(`hash ${r.hash}\nprev ${r.prevHash}\n`);
      ctx.io.out(changes.length ? 'state change:\n' : 'state change: none\n');
      for (const c of changes) {
        if (c.op === 'replace') ctx.io.out(`  ~ ${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.value)}\n`);
        else if (c.op === 'add') ctx.io.out(`  + ${c.path}: ${JSON.stringify(c.value)}\n`);
        else ctx.io.out(`  - ${c.path}: ${JSON.stringify(c.from)}\n`);
      }
    });

  program.command('rewind').description('Move HEAD to just after an event: views show the state then')
    .option('--to <event>', 'event number (`--to event 412` or `--to 412`), or a branch@N')
    .argument('[n]', 'the event number after `--to event`')
    .action(async (n: string | undefined, o: { to?: string }) => {
      // Checked here, not by commander, so that unknown flags are reported first (as cobra does).
      if (o.to === undefined) reject('required flag(s) "to" not set', "See 'engine rewind --help'.");
      const ss = session();
      await ss.flush();
      const ref = o.to === 'event' ? n : o.to;
      if (ref === undefined) reject('rewind needs an event number: engine rewind --to event N');
      if (o.to !== 'event' && n !== undefined) reject(`unexpected argument "${n}"`);
      const p = resolvePoint(ss, ref);
      // Event 1 records the seed: a timeline forked before it would have none.
      if (p.seq === 0) reject('event 0 is the empty state before the log; HEAD can go back to event 1 (the log\'s creation) at the earliest');
      await ss.moveHead({ branch: p.branch, at: p.seq });
      ctx.io.out(headLine(ctx));
    });

  program.command('step').description('Move HEAD one (or K) events forward, or back with --back')
    .argument('[k]', 'how many events', '1')
    .option('--back', 'step back')
    .action(async (k: string, o: { back?: boolean }) => {
      const ss = session();
      await ss.flush();
      if (!/^\d+$/.test(k)) reject(`invalid count "${k}"`);
      const b = ss.branch();
      // HEAD stays at or after event 1, the log's creation (its seed): see rewind.
      const target = o.back ? Math.max(1, ss.headSeq() - Number(k)) : Math.min(b.tipSeq, ss.headSeq() + Number(k));
      await ss.moveHead({ branch: b.id, at: target });
      ctx.io.out(headLine(ctx));
      if (target > 0) {
        const r = await ss.log.event(b.id, target);
        if (r) ctx.io.out(`  ${r.event.type}: ${describe(r.event, ss.state)}\n`);
      }
    });

  program.command('diff <a> <b>').description('What differs in cluster and network state between two points')
    .option('--json', 'as JSON')
    .option('--all', 'also show the indexes the controllers keep (slots, placements, nodeTasks, unallocated, pending, delayed)')
    .action(async (a: string, bRef: string, o: { json?: boolean; all?: boolean }) => {
      const ss = session();
      await ss.flush();
      const pa = resolvePoint(ss, a);
      const pb = resolvePoint(ss, bRef);
      const sa = await ss.stateAt(pa.branch, pa.seq);
      const sb = await ss.stateAt(pb.branch, pb.seq);
      const all = diffStates(sa, sb);
      const changes = o.all ? all : all.filter((c) => !INDEX_SLICES.has(c.slice));
      const summary = summarize(sa, sb);
      if (o.json) {
        ctx.io.out(JSON.stringify({ from: pa, to: pb, summary, changes: changes.map(({ before: _b, after: _a, ...c }) => ({ ...c, ...(c.op === 'added' ? { value: _a } : c.op === 'removed' ? { value: _b } : {}) })) }, null, 2) + '\n');
        return;
      }
      ctx.io.out(`diff ${pa.label} → ${pb.label}: ${changes.length} change${changes.length === 1 ? '' : 's'}\n`);
      for (const line of summary) ctx.io.out(`  ${line}\n`);
      for (const c of changes) ctx.io.out(renderChange(c, sa, sb));
    });

  program.command('state').description('The whole derived state at HEAD (or --at N), or its hash')
    .option('--at <n>', 'at this point instead of HEAD')
    .option('--json', 'the whole state as JSON')
    .option('--hash', 'the hash of its canonical encoding')
    .action(async (o: { at?: string; json?: boolean; hash?: boolean }) => {
      const ss = session();
      await ss.flush();
      const p = o.at !== undefined ? resolvePoint(ss, o.at) : resolvePoint(ss, 'head');
      const s = o.at !== undefined ? await ss.stateAt(p.branch, p.seq) : ss.state;
      if (o.hash) return ctx.io.out(`${stateHash(s)}\n`);
      if (o.json) return ctx.io.out(JSON.stringify(plainState(s), null, 2) + '\n');
      ctx.io.out(`${ss.branch(p.branch).name} @ event ${p.seq}, virtual time ${formatDurationMs(s.sim.nowMs)}\n`);
      ctx.io.out(clusterSummary(s));
    });

  program.command('branch [name]').description('List timelines, or start one named NAME at HEAD')
    .action(async (name: string | undefined) => {
      const ss = session();
      await ss.flush();
      if (name) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || /^\d+$/.test(name) || name.toLowerCase() === 'head') reject(`invalid branch name "${name}"`);
        if (ss.branchByName(name)) reject(`a branch named '${name}' already exists`);
        const b = await ss.createBranch(name);
        ctx.io.out(`branch '${b.name}' starts at event ${b.forkSeq} (engine checkout ${b.name} to act on it)\n`);
        return;
      }
      for (const b of ss.meta!.branches) {
        const cur = b.id === ss.head.branch;
        const parent = b.parent === null ? '' : `, forked from ${ss.branch(b.parent).name} at event ${b.forkSeq}`;
        const where = cur && ss.head.at !== null ? ` (HEAD rewound to event ${ss.head.at})` : '';
        ctx.io.out(`${cur ? '*' : ' '} ${b.name}  ${b.tipSeq} events${parent}${where}\n`);
      }
    });

  program.command('checkout <branch>').description('Move HEAD to the tip of a branch')
    .action(async (name: string) => {
      const ss = session();
      await ss.flush();
      const b = ss.branchByName(name);
      if (!b) reject(`no such branch: ${name}`);
      await ss.moveHead({ branch: b.id, at: null });
      ctx.io.out(`Switched to branch '${b.name}' (event ${b.tipSeq})\n`);
    });

  program.command('find <predicate...>').description('The first event after which a condition holds')
    .option('--from <n>', 'search from this event on', uintFlag('--from'))
    .option('--json', 'as JSON')
    .action(async (words: string[], o: { from?: number; json?: boolean }) => {
      const ss = session();
      await ss.flush();
      const pred = compilePredicate(words.join(' '));
      const b = ss.branch();
      const from = o.from ?? 1;
      let s = await ss.stateAt(b.id, from - 1);
      if (from - 1 > 0 && pred.test(s)) return found(ctx, from - 1, null, s, o.json);
      for await (const chunk of ss.log.range(b.id, from, b.tipSeq)) {
        for (const r of chunk) {
          s = evolve(s, r.event);
          if (pred.test(s)) return found(ctx, r.seq, r, s, o.json);
        }
      }
      reject(`no event on ${b.name} after which ${pred.text}`);
    });
}

function found(ctx: CliContext, seq: number, r: LoggedEvent | null, s: State, json?: boolean): void {
  if (json) return ctx.io.out(JSON.stringify({ seq, atMs: r?.atMs ?? s.sim.nowMs, event: r?.event ?? null }) + '\n');
  ctx.io.out(`event ${seq} at ${formatDurationMs(s.sim.nowMs)}${r ? `: ${r.event.type}: ${describe(r.event, s)}` : ' (holds already)'}\n`);
}

function headLine(ctx: CliContext): string {
  const ss = ctx.session;
  const b = ss.branch();
  return `HEAD is now at event ${ss.headSeq()} of ${b.tipSeq} on ${b.name} (virtual time ${formatDurationMs(ss.state.sim.nowMs)})\n`;
}

interface ShownPatch {
  op: Patch['op'];
  path: string;
  from: unknown;
  value: unknown;
}

/**
 * The patches of one event as `engine show` prints them, in entity terms. How a Table stores its entities
 * (trie buckets, entry count) is a storage detail: a patch above the entities — a bucket added, replaced
 * or pruned whole — is replaced by the entities of that table that appeared, changed or disappeared.
 */
function entityPatches(patches: Patch[], before: State, after: State): ShownPatch[] {
  const out: ShownPatch[] = [];
  const rebucketed = new Set<string>();
  for (const pt of patches) {
    const slice = String(pt.path[0]);
    if (TABLE_SLICES.has(slice) && pt.path.length === 2 && pt.path[1] === 'n') continue;
    const flat = flattenPath(pt.path, TABLE_SLICES);
    if (TABLE_SLICES.has(slice) && pt.path[1] === 't' && flat === pt.path) {
      rebucketed.add(slice);
      continue;
    }
    out.push({ op: pt.op, path: flat.join('.'), from: valueAt(before, pt.path), value: pt.value });
  }
  for (const slice of rebucketed) {
    const a = (before as unknown as Record<string, Table<unknown>>)[slice]!;
    const b = (after as unknown as Record<string, Table<unknown>>)[slice]!;
    for (const k of [...new Set([...tkeysSorted(a), ...tkeysSorted(b)])].sort()) {
      const [from, value] = [tget(a, k), tget(b, k)];
      if (from === value) continue;
      const path = `${slice}.${k}`;
      if (out.some((p) => p.path === path || p.path.startsWith(path + '.'))) continue; // already shown field by field
      out.push({ op: from === undefined ? 'add' : value === undefined ? 'remove' : 'replace', path, from, value });
    }
  }
  return out;
}

function valueAt(s: State, path: (string | number)[]): unknown {
  let v: unknown = s;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k as string];
  }
  return v;
}

function entityName(c: EntityChange, sa: State, sb: State): string {
  if (c.slice === 'nodes') {
    const n = tget(sb.nodes, c.key) ?? tget(sa.nodes, c.key);
    return `node ${n ? `${n.hostname} (${c.key.slice(0, 12)})` : c.key}`;
  }
  if (c.slice === 'hosts') return `host ${c.key}`;
  if (c.slice === 'services') {
    const svc = tget(sb.services, c.key) ?? tget(sa.services, c.key);
    return `service ${svc ? `${svc.spec.name} (${c.key.slice(0, 12)})` : c.key}`;
  }
  if (c.slice === 'tasks') {
    const t = tget(sb.tasks, c.key) ?? tget(sa.tasks, c.key);
    const st = tget(sb.tasks, c.key) ? sb : sa;
    return `task ${t ? `${taskName(st, t.serviceId, t.slot, t.nodeId)} (${c.key.slice(0, 12)})` : c.key}`;
  }
  if (c.slice === 'secrets' || c.slice === 'configs') {
    const tb: Table<{ name: string }> = sb[c.slice];
    const ta: Table<{ name: string }> = sa[c.slice];
    const x = tget(tb, c.key) ?? tget(ta, c.key);
    return `${c.slice.slice(0, -1)} ${x ? x.name : c.key}`;
  }
  if (c.slice === 'containers') return `container ${(tget(sb.containers, c.key) ?? tget(sa.containers, c.key))?.name ?? c.key}`;
  if (c.slice === 'volumes') return `volume ${c.key}`;
  return networkEntityName(c, c.op === 'removed' ? sa : sb) ?? (c.key ? `${c.slice} ${c.key}` : c.slice);
}

/** `in ingress_sbox on worker1`, `on worker1` for the root namespace. */
function where(host: string, netns: string): string {
  return netns ? `in ${netns} on ${host}` : `on ${host}`;
}

/**
 * The network objects by what a user recognises: names of networks, services, tasks and containers
 * instead of IDs (looked up in the state the entity is in: the later one, or the earlier one if removed).
 */
/** Task containers by container ID, built once per state (a diff names many). */
const taskContainers = new WeakMap<State, Map<string, string>>();

/** A container by name: a standalone one's, a task's (`web.1.<task id>`), else its short ID. */
function containerName(s: State, id: string): string {
  const c = tget(s.containers, id);
  if (c) return c.name;
  let m = taskContainers.get(s);
  if (!m) {
    m = new Map(tvalues(s.tasks).map((t) => [t.containerId, `${taskName(s, t.serviceId, t.slot, t.nodeId)}.${t.id}`] as const));
    taskContainers.set(s, m);
  }
  return m.get(id) ?? containerLabel(s, id);
}

/** A network by name, a local one with its host (`docker_gwbridge of worker1`). */
function netName(s: State, id: string): string {
  const n = tget(s.networks, id);
  return n?.host ? `${n.name} of ${n.host}` : networkLabel(s, id);
}

function networkEntityName(c: EntityChange, s: State): string | null {
  const v = (c.op === 'removed' ? c.before : c.after) as Record<string, unknown> | undefined;
  if (!v) return null;
  const networkLabel = netName;
  switch (c.slice) {
    case 'networks': return `network ${String(v.name)}${v.host ? ` of ${String(v.host)}` : ''} (${c.key.slice(0, 12)})`;
    case 'addresses': {
      const owner = v.owner as { kind: string; id: string };
      const who = owner.kind === 'task' ? `task ${taskLabel(s, owner.id)}` : owner.kind === 'vip' ? `VIP of ${serviceLabel(s, owner.id)}`
        : owner.kind === 'node' ? `node ${nodeLabel(s, owner.id)}` : owner.kind === 'container' ? `container ${containerName(s, owner.id)}` : 'gateway';
      return `address ${String(v.ip)} on ${networkLabel(s, String(v.networkId))} (${who})`;
    }
    case 'endpoints': return `endpoint ${String(v.name)} on ${networkLabel(s, String(v.networkId))}: ${String(v.ip)} ${where(String(v.host), String(v.sandbox))}`;
    case 'netns': return `netns ${String(v.name)} on ${String(v.host)}`;
    case 'links': return `link ${String(v.name)} ${where(String(v.host), String(v.netns))}`;
    case 'routes': return `route ${String(v.dst)} dev ${String(v.dev)} ${where(String(v.host), String(v.netns))}`;
    case 'rules': {
      const r = v.rule as { table: string; chain: string; target: string };
      return `iptables -t ${r.table} ${r.chain} … -j ${r.target} ${where(String(v.host), String(v.netns))}`;
    }
    case 'ipvs': return `IPVS FWM ${String(v.fwmark)} (${serviceLabel(s, String(v.serviceId))}) ${where(String(v.host), String(v.netns))}`;
    case 'backends': return `backends of ${serviceLabel(s, String(v.serviceId))} on ${networkLabel(s, String(v.networkId))}`;
    case 'netlb': return `load balancers of ${networkLabel(s, String(v.networkId))}`;
    case 'dns': return `DNS ${String(v.name)} on ${networkLabel(s, String(v.networkId))}`;
    default: return null;
  }
}

function renderChange(c: EntityChange, sa: State, sb: State): string {
  const name = entityName(c, sa, sb);
  if (c.op === 'added') return `+ ${name}\n`;
  if (c.op === 'removed') return `- ${name}\n`;
  return `~ ${name}\n` + c.fields.map((f) => `    ${f.path}: ${JSON.stringify(f.from) ?? 'unset'} → ${JSON.stringify(f.to) ?? 'unset'}\n`).join('');
}
