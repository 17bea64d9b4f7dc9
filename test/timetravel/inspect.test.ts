/** Looking at the past without moving: diff (human and --json), show N, find, state --at. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { findEvent, readLog, type LogLine } from '../helpers/log.js';
import { refused } from '../helpers/refuse.js';

const REPLAY = join(__dirname, '..', '..', 'replays', 'five-node-swarm.swarm');
const cli = new TestCli();
let log: LogLine[];
let down: LogLine; // worker1 ready → down
let worker1: string; // its node ID
beforeAll(async () => {
  await cli.ok('run', '-q', REPLAY);
  log = await readLog(cli);
  down = await findEvent(cli, 'worker1 down', (e) => e.type === 'NodeStatusChanged' && e.event.to === 'down');
  worker1 = String(down.event.nodeId);
});
afterAll(() => cli.cleanup());

const seqOf = (what: string, match: (e: LogLine) => boolean): number => {
  const e = log.find(match);
  if (!e) throw new Error(`no event: ${what}`);
  return e.seq;
};

describe('engine diff', () => {
  it('shows a node going from ready to down, field by field', async () => {
    const out = await cli.ok('diff', String(down.seq - 1), String(down.seq));
    expect(out.split('\n')[0]).toBe(`diff event ${down.seq - 1} → event ${down.seq}: 2 changes`);
    expect(out).toContain(`~ node worker1 (${worker1.slice(0, 12)})\n    message: "" → "heartbeat failure"\n    state: "ready" → "down"\n`);
    expect(out).toMatch(/~ swarm\n {4}raftIndex: \d+ → \d+\n/);
  });

  it('--json names the slice, the key and each changed field', async () => {
    const d = JSON.parse(await cli.ok('diff', String(down.seq - 1), String(down.seq), '--json')) as {
      from: { seq: number; label: string }; to: { seq: number }; changes: { slice: string; key: string; op: string; fields: { path: string; from: unknown; to: unknown }[] }[];
    };
    expect(d.from).toMatchObject({ seq: down.seq - 1, label: `event ${down.seq - 1}` });
    expect(d.to.seq).toBe(down.seq);
    const node = d.changes.find((c) => c.slice === 'nodes')!;
    expect(node).toMatchObject({ key: worker1, op: 'changed' });
    expect(node.fields).toContainEqual({ path: 'state', from: 'ready', to: 'down' });
    expect(node.fields).toContainEqual({ path: 'message', from: '', to: 'heartbeat failure' });
  });

  it('shows added entities with their value, and nothing between equal points', async () => {
    const joined = seqOf('worker2 joined', (e) => e.type === 'NodeJoined' && e.event.host === 'worker2');
    const human = await cli.ok('diff', String(joined - 1), String(joined));
    expect(human).toMatch(new RegExp(`^\\+ node worker2 \\(${String(log[joined - 1]!.event.nodeId).slice(0, 12)}\\)$`, 'm'));
    const d = JSON.parse(await cli.ok('diff', String(joined - 1), String(joined), '--json'));
    expect(d.changes.find((c: { op: string }) => c.op === 'added')).toMatchObject({ slice: 'nodes', value: { hostname: 'worker2', role: 'worker', state: 'ready' } });
    expect(await cli.ok('diff', '12', '12')).toBe('diff event 12 → event 12: 0 changes\n');
    expect(await cli.ok('diff', 'head', 'main')).toMatch(/: 0 changes\n$/);
  });
});

describe('engine show', () => {
  it('prints the event, the command that caused it, its hashes and its state change as patches', async () => {
    const out = await cli.ok('show', String(down.seq));
    const [first, cmd, what, json, hash, prev, change, ...patches] = out.split('\n');
    expect(first).toMatch(new RegExp(`^event ${down.seq} at 15s \\(batch ${down.batch}–\\d+\\)$`));
    expect(cmd).toBe('command: engine advance 20s');
    expect(what).toBe(`NodeStatusChanged: node worker1 (${worker1.slice(0, 12)}) ready → down (heartbeat failure)`);
    expect(JSON.parse(json!)).toEqual(down.event);
    expect(hash).toBe(`hash ${down.hash}`);
    expect(prev).toBe(`prev ${log[down.seq - 2]!.hash}`);
    expect(change).toBe('state change:');
    expect(patches).toContain(`  ~ nodes.${worker1}.state: "ready" → "down"`);
    expect(patches).toContain(`  ~ nodes.${worker1}.message: "" → "heartbeat failure"`);
  });

  it('names the host a docker command was typed on; --json carries argv and patches', async () => {
    const joined = seqOf('worker1 joined', (e) => e.type === 'NodeJoined' && e.event.host === 'worker1');
    const out = await cli.ok('show', String(joined));
    // The token is recorded with its secret part redacted (the log never holds it in clear).
    expect(out.split('\n')[1]).toMatch(/^command: engine --on worker1 swarm join --token SWMTKN-1-[0-9a-z]{50}-<redacted> 192\.168\.99\.100:2377$/);
    const j = JSON.parse(await cli.ok('show', String(joined), '--json'));
    expect(j.command).toMatchObject({ batch: joined, on: 'worker1' });
    expect(j.command.count).toBe(log.filter((e) => e.batch === joined).length); // the join and its network set-up
    expect(j.command.argv.slice(0, 3)).toEqual(['swarm', 'join', '--token']);
    const id = String(log[joined - 1]!.event.nodeId);
    expect(j.patches).toContainEqual({ op: 'add', path: `nodes.${id}`, value: expect.objectContaining({ id, hostname: 'worker1', role: 'worker', state: 'ready' }) });
    // Patches speak of entities, not of how tables store them.
    for (const p of j.patches as { path: string }[]) expect(p.path).not.toMatch(/^(hosts|nodes)\.(t|n)(\.|$)/);
    expect(j.patches).toContainEqual({ op: 'replace', path: 'hosts.worker1.nodeId', from: null, value: log[joined - 1]!.event.nodeId });
  });

  it('a removed node is one patch, with the entity it removes', async () => {
    const c = new TestCli();
    try {
      await c.scenario('host add a\nhost add b\n--on a swarm init\n--on b swarm join --token $(swarm join-token -q worker) a:2377\nnode rm --force b\n');
      const removed = await findEvent(c, 'b removed', (e) => e.type === 'NodeRemoved');
      const out = await c.ok('show', String(removed.seq));
      const patches = out.slice(out.indexOf('state change:\n') + 14).split('\n').filter(Boolean);
      expect(patches.filter((p) => p.startsWith('  - '))).toEqual([expect.stringMatching(new RegExp(`^  - nodes\\.${removed.event.nodeId}: \\{"id":"${removed.event.nodeId}","hostname":"b",`))]);
      expect(patches.filter((p) => /nodes\.(t|n)\b/.test(p))).toEqual([]);
    } finally {
      c.cleanup();
    }
  });

  it('an event without a state change says so; event 0 and events past the tip do not exist', async () => {
    const out = await cli.ok('show', '1');
    expect(out).toMatch(/^event 1 at 0s \(batch 1–1\)\ncommand: engine init\nLogInitialized: log created with seed 1\n/);
    expect(await refused(cli, 'show', String(log.length + 1))).toBe(`Error: the log has ${log.length} events on branch main; there is no event ${log.length + 1}`);
  });
});

describe('engine find', () => {
  it('the first event after which a condition holds', async () => {
    const crash = seqOf('manager1 crashed', (e) => e.type === 'HostCrashed' && e.event.name === 'manager1');
    const lost = seqOf('leader lost', (e) => e.type === 'RaftLeaderLost');
    const elected = log.find((e) => e.type === 'RaftLeaderElected')!;
    expect(await cli.ok('find', 'node', 'worker1', 'is', 'down'))
      .toBe(`event ${down.seq} at 15s: NodeStatusChanged: node worker1 (${worker1.slice(0, 12)}) ready → down (heartbeat failure)\n`);
    expect(await cli.ok('find', 'no leader')).toBe(`event ${crash} at 20s: HostCrashed: host manager1 crashed\n`);
    expect(await cli.ok('find', 'leader', 'changed')).toMatch(new RegExp(`^event ${lost} at 20s: RaftLeaderLost: `));
    const newLeader = log.find((e) => e.type === 'NodeJoined' && e.event.nodeId === elected.event.nodeId)!.event.host as string;
    expect(await cli.ok('find', `leader is ${newLeader}`)).toMatch(new RegExp(`^event ${elected.seq} at \\d+(\\.\\d+)?s: RaftLeaderElected: `));
    expect(await cli.ok('find', 'host manager1 is down')).toMatch(new RegExp(`^event ${crash} `));
  });

  it('--from searches later; --json; a condition that never holds is an error', async () => {
    const back = seqOf('worker1 ready again', (e) => e.type === 'NodeStatusChanged' && e.event.to === 'ready' && e.event.nodeId === worker1);
    expect(await cli.ok('find', '--from', String(down.seq + 1), 'node worker1 is ready')).toMatch(new RegExp(`^event ${back} `));
    expect(JSON.parse(await cli.ok('find', '--json', 'node worker1 is down'))).toEqual({ seq: down.seq, atMs: 15_000, event: down.event });
    expect(await cli.ok('find', '--from', String(down.seq + 1), 'node worker1 is down')).toBe(`event ${down.seq} at 15s (holds already)\n`);
    expect(await refused(cli, 'find', 'node worker2 is down')).toBe('Error: no event on main after which node worker2 is down');
  });
});

describe('engine state --at', () => {
  it('the state at any point, whatever HEAD is', async () => {
    const at = JSON.parse(await cli.ok('state', '--at', String(down.seq - 1), '--json'));
    expect(at.nodes[worker1].state).toBe('ready');
    expect(JSON.parse(await cli.ok('state', '--json')).nodes[worker1].state).toBe('ready'); // booted again at the tip
    expect(JSON.parse(await cli.ok('state', '--at', String(down.seq), '--json')).nodes[worker1].state).toBe('down');
    expect(await cli.ok('state', '--at', String(down.seq))).toMatch(new RegExp(`^main @ event ${down.seq}, virtual time 15s\\nhosts: 5 \\(4 up\\)\\n`));
  });
});

describe('the story a diff starts with', () => {
  it('hosts crashing, nodes going down, the leader changing — in Swarm’s words', async () => {
    const crash = seqOf('manager1 crashed', (e) => e.type === 'HostCrashed' && e.event.name === 'manager1');
    const elected = seqOf('a new leader', (e) => e.type === 'RaftLeaderElected');
    const out = await cli.ok('diff', String(crash - 1), String(elected + 1));
    const story = out.split('\n').filter((l) => l.startsWith('  ') && !l.startsWith('    '));
    expect(story).toEqual(['  host manager1 crashed', '  node manager1 ready → unknown', '  leader manager1 → manager2']);
    const lost = await cli.ok('diff', String(crash - 1), String(crash + 1));
    expect(lost.split('\n').slice(1, 3)).toEqual(['  host manager1 crashed', '  no leader (was manager1)']);
  });
});

describe('engine diff of network objects', () => {
  it('names them by network, service, task, namespace and host, not by ID; indexes only with --all', async () => {
    const c = new TestCli();
    try {
      await c.ok('run', '-q', join(__dirname, '..', '..', 'replays', 'ingress-namespaces.swarm'));
      const nl = await readLog(c);
      const created = nl.find((l) => l.type === 'ServiceCreated' && l.event.spec && (l.event.spec as { name: string }).name === 'api')!;
      const out = await c.ok('diff', String(created.seq - 1), 'head');
      const lines = out.split('\n');
      // The task's address and endpoint on mynet, its namespace's links, the VIP's IPVS service on worker1.
      const addr = lines.find((l) => /^\+ address 10\.0\.1\.\d+ on mynet \(task api\.1 \([0-9a-z]{12}\)\)$/.test(l));
      expect(addr, out).toBeDefined();
      const ip = addr!.split(' ')[2];
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\+ endpoint api\\.1\\.[0-9a-z]{25} on mynet: ${ip!.replace(/\./g, '\\.')} in [0-9a-f]{12} on worker1$`)));
      expect(lines).toContain('+ address 10.0.1.2 on mynet (VIP of api)');
      expect(lines).toContainEqual(expect.stringMatching(/^\+ IPVS FWM 257 \(api\) in lb_[0-9a-z]{9} on worker1$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\+ netns 1-[0-9a-z]{10} on worker1$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\+ link vxlan0 in 1-[0-9a-z]{10} on worker1$/));
      expect(lines).toContain('+ DNS api on mynet');
      // The story: the overlay comes up where the task lands; the service's VIP.
      expect(lines.slice(1, 4)).toEqual(['  overlay mynet came up on worker1 (1-' + lines.find((l) => l.startsWith('+ netns 1-'))!.slice(10, 20) + ')', '  service api created (1 replica, nginx:latest)', '  service api VIP 10.0.1.2 on mynet']);
      expect(out).not.toMatch(/^[+~-] (addresses|endpoints|links|nodeTasks|unallocated) /m);
      expect(await c.ok('diff', String(created.seq - 1), 'head', '--all')).toMatch(/^[+~] nodeTasks /m);
      // engine find over the network objects: the first event after which each holds.
      const first = (pred: (l: (typeof nl)[number]) => boolean) => nl.find(pred)!.seq;
      const up = first((l) => l.type === 'NetnsCreated' && l.event.host === 'worker1' && String(l.event.netns).startsWith('1-') && l.seq > created.seq);
      expect(await c.ok('find', 'overlay mynet is up on worker1')).toMatch(new RegExp(`^event ${up} at 0s: NetnsCreated: worker1: netns 1-`));
      const vipAt = first((l) => l.type === 'AddressAllocated' && (l.event.owner as { kind: string }).kind === 'vip' && l.event.ip === '10.0.1.2');
      expect(await c.ok('find', 'service api has a VIP on mynet')).toMatch(new RegExp(`^event ${vipAt} at 0s: AddressAllocated: mynet: 10\\.0\\.1\\.2 allocated to vip `));
      expect(await c.ok('find', 'address', ip!, 'is', 'allocated', 'on', 'mynet')).toMatch(/AddressAllocated: mynet: /);
      expect(await c.ok('find', 'network mynet exists')).toMatch(/: NetworkCreated: network mynet created \(overlay, swarm, 10\.0\.1\.0\/24, VNI 4097\)\n$/);
      expect(await c.ok('find', 'service my-nginx publishes 80')).toMatch(/: ServiceCreated: service my-nginx created /);
      const never = await c.run('find', 'overlay mynet is up on worker2');
      expect([never.code, never.stderr]).toEqual([1, 'Error: no event on main after which overlay mynet is up on worker2\n']);
    } finally {
      c.cleanup();
    }
  });
});
