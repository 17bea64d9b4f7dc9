/**
 * The task lifecycle and the healer through the CLI: the states a task steps through and who moves
 * it (swarmkit design/task_model.md, agent/exec/controller.go), restarts in the same slot with a new
 * ID after the restart delay (orchestrator/restart/restart.go), restart policies, the task history
 * limit (taskreaper), node failure, global services (orchestrator/global), and no healing without a
 * Raft leader.
 */
import { describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, current, given, log, ls, NOT_A_MANAGER, perNode, ps, refusedEach, refusedWith, replicas, swarm, type PsRow } from './support.js';

const cli = clis();

/** The current task of a slot (the row named `web.N` that is meant to run). */
async function slot(c: TestCli, name: string): Promise<PsRow> {
  const [svc] = name.split('.');
  const row = (await current(c, svc!)).find((r) => r.Name === name);
  if (!row) throw new Error(`no current task in ${name}`);
  return row;
}

/** Every row of one slot, newest first, as `service ps` lists them. */
async function history(c: TestCli, name: string): Promise<PsRow[]> {
  const [svc] = name.split('.');
  return (await ps(c, svc!)).filter((r) => r.Name === name || r.Name === ` \\_ ${name}`);
}

describe('a task steps new → pending → assigned → accepted → preparing → ready → starting → running', () => {
  it('each step is an event, in order, with swarmkit’s messages, all at the same virtual instant', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const id = (await ps(c, 'web', '--no-trunc'))[0]!.ID;
    const events = (await log(c, 'TaskCreated', 'TaskStateChanged', 'TaskAssigned')).filter((e) => e.event.taskId === id);
    expect(events.map((e) => e.type === 'TaskCreated' ? `created:${e.event.desiredState}` : e.type === 'TaskAssigned' ? `assigned:${e.event.message}` : `${e.event.from}→${e.event.to}:${e.event.message}`)).toEqual([
      'created:running',
      'new→pending:pending task scheduling',
      'assigned:scheduler assigned task to node',
      'assigned→accepted:accepted',
      'accepted→preparing:preparing',
      'preparing→ready:prepared',
      'ready→starting:starting',
      'starting→running:started',
    ]);
    expect(new Set(events.map((e) => e.atMs))).toEqual(new Set([0]));
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    // The human view of the same log reads the transitions in order too.
    const text = await c.ok('log', '--type', 'TaskStateChanged');
    const arrows = text.split('\n').filter((l) => l.includes(id.slice(0, 12))).map((l) => l.replace(/.*\) /, '').replace(/ ← HEAD$/, ''));
    expect(arrows).toEqual(['new → pending', 'assigned → accepted', 'accepted → preparing', 'preparing → ready', 'ready → starting', 'starting → running']);
  });
});

describe('restarts: a new task in the same slot, desired Ready until the restart delay', () => {
  it('engine task fail: FAILED "task: non-zero exit (1)", a new ID in web.3 shown Ready, Running 5 s later', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\n');
    const old = await slot(c, 'web.3');
    expect(await c.ok('task', 'fail', old.ID)).toBe(`${old.ID}\n`);

    let rows = await history(c, 'web.3');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ Name: 'web.3', DesiredState: 'Ready', CurrentState: 'Ready less than a second ago', Error: '' });
    expect(rows[0]!.ID).not.toBe(old.ID);
    expect(rows[1]).toMatchObject({ ID: old.ID, Name: ' \\_ web.3', Node: old.Node, DesiredState: 'Shutdown', CurrentState: 'Failed less than a second ago', Error: '"task: non-zero exit (1)"' });
    expect(await replicas(c, 'web')).toBe('2/3');

    await given(c, 'advance 4s\n');
    expect((await history(c, 'web.3'))[0]).toMatchObject({ DesiredState: 'Ready', CurrentState: 'Ready 4 seconds ago' });
    await given(c, 'advance 1s\n');
    rows = await history(c, 'web.3');
    expect(rows[0]).toMatchObject({ DesiredState: 'Running', CurrentState: 'Running less than a second ago' });
    expect(rows[1]).toMatchObject({ ID: old.ID, CurrentState: 'Failed 5 seconds ago' });
    expect(await replicas(c, 'web')).toBe('3/3');
    // The other slots were not touched.
    expect((await current(c, 'web')).map((r) => r.Name)).toEqual(['web.1', 'web.2', 'web.3']);
  });

  it('docker kill on the task’s host gives exit 137; the container is only found on that host', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 2 nginx\n');
    const t = await slot(c, 'web.1');
    const other = t.Node === 'm1' ? 'w1' : 'm1';
    const containers = (await c.ok('--on', t.Node, 'ps', '--format', '{{.ID}} {{.Names}}')).trim().split('\n');
    const fullId = (await ps(c, 'web', '--no-trunc')).find((r) => r.Name === 'web.1')!.ID;
    const mine = containers.find((l) => l.endsWith(` web.1.${fullId}`));
    expect(mine).toBeDefined();
    const cid = mine!.split(' ')[0]!;
    expect(await refusedWith(c, '--on', other, 'kill', cid)).toBe(`Error: Error response from daemon: No such container: ${cid}`);
    expect(await c.ok('--on', t.Node, 'kill', cid)).toBe(`${cid}\n`);
    const rows = await history(c, 'web.1');
    expect(rows[1]).toMatchObject({ ID: t.ID, CurrentState: 'Failed less than a second ago', Error: '"task: non-zero exit (137)"' });
    expect(rows[0]).toMatchObject({ DesiredState: 'Ready' });
    // The dead container stays listed with -a, exited 137.
    expect(await c.ok('--on', t.Node, 'ps', '-a', '--filter', 'status=exited', '--format', '{{.Status}}')).toBe('Exited (137) Less than a second ago\n');
  });

  it('--restart-delay sets the wait; --restart-condition none never replaces', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name slow --restart-delay 10s nginx\nservice create -d --name once --restart-condition none nginx\n');
    await given(c, `task fail ${(await slot(c, 'slow.1')).ID}\ntask fail ${(await slot(c, 'once.1')).ID}\nadvance 9s\n`);
    expect((await history(c, 'slow.1'))[0]).toMatchObject({ DesiredState: 'Ready', CurrentState: 'Ready 9 seconds ago' });
    await given(c, 'advance 1s\n');
    expect((await history(c, 'slow.1'))[0]).toMatchObject({ DesiredState: 'Running', CurrentState: 'Running less than a second ago' });
    const once = await ps(c, 'once');
    expect(once).toHaveLength(1);
    expect(once[0]).toMatchObject({ DesiredState: 'Shutdown', CurrentState: 'Failed 10 seconds ago' });
    expect(await replicas(c, 'once')).toBe('0/1');
  });

  it('--restart-condition on-failure: a clean exit (docker stop) is not replaced, a kill is', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 --restart-condition on-failure nginx\n');
    const names = (await c.ok('--on', 'm1', 'ps', '--format', '{{.Names}}')).trim().split('\n').sort();
    await given(c, `--on m1 stop ${names[0]}\n--on m1 kill ${names[1]}\nadvance 5s\n`);
    const rows = await ps(c, 'web');
    const complete = rows.filter((r) => r.CurrentState.startsWith('Complete'));
    expect(complete).toHaveLength(1);
    expect(complete[0]).toMatchObject({ DesiredState: 'Shutdown', Error: '' });
    expect((await current(c, 'web')).map((r) => r.CurrentState)).toEqual(['Running less than a second ago']);
    expect(await replicas(c, 'web')).toBe('1/2');
  });

  it('--restart-max-attempts counts the restarts of a slot', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --restart-max-attempts 2 --restart-delay 1s nginx\n');
    for (let i = 0; i < 3; i++) await given(c, `task fail ${(await slot(c, 'web.1')).ID}\nadvance 1s\n`);
    const rows = await history(c, 'web.1');
    // The original and its 2 restarts, all failed; no third replacement.
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.DesiredState === 'Shutdown' && r.CurrentState.startsWith('Failed'))).toBe(true);
    expect(await current(c, 'web')).toEqual([]);
    expect(await replicas(c, 'web')).toBe('0/1');
  });

  it('keeps 5 tasks per slot (task history limit), the running one included, dropping the oldest', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await slot(c, 'web.1');
      ids.push(t.ID);
      await given(c, `task fail ${t.ID}\nadvance 5s\n`);
    }
    const rows = await history(c, 'web.1');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ Name: 'web.1', DesiredState: 'Running' });
    expect(rows.slice(1).map((r) => r.ID)).toEqual(ids.slice(2).reverse());
    expect(rows.slice(1).every((r) => r.Name === ' \\_ web.1')).toBe(true);
  });

  it('engine task fail refuses a task that is not running', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const t = await slot(c, 'web.1');
    await given(c, `task fail ${t.ID}\n`);
    const full = (await ps(c, 'web', '--no-trunc')).find((r) => r.ID.startsWith(t.ID))!.ID;
    expect(await refusedWith(c, 'task', 'fail', t.ID)).toBe(`Error: Error response from daemon: task ${full} is not running (failed)`);
    expect(await refusedWith(c, 'task', 'fail', 'zzzz')).toBe('Error: Error response from daemon: no such task: zzzz');
  });
});

describe('a node that crashes', () => {
  it('turns Down 15 s later; its tasks are replaced elsewhere 5 s after that, and still read Running meanwhile', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\n');
    const lost = (await current(c, 'web')).find((r) => r.Node === 'w1')!;
    await given(c, 'host crash w1\nadvance 14s\n');
    expect(await c.ok('node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).toContain('w1 Ready');
    await given(c, 'advance 1s\n');
    expect(await c.ok('node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).toContain('w1 Down');

    // Down: the orchestrator shuts the task down (desired) but the dead node never reports: still Running.
    let rows = await history(c, lost.Name);
    expect(rows[1]).toMatchObject({ ID: lost.ID, Node: 'w1', DesiredState: 'Shutdown', CurrentState: 'Running 15 seconds ago' });
    expect(rows[0]).toMatchObject({ DesiredState: 'Ready' });
    expect(rows[0]!.Node).not.toBe('w1');
    expect(await replicas(c, 'web')).toBe('3/3');

    await given(c, 'advance 5s\n');
    rows = await history(c, lost.Name);
    expect(rows[0]).toMatchObject({ DesiredState: 'Running', CurrentState: 'Running less than a second ago' });
    // REPLICAS counts observed RUNNING only, so the dead node's task still counts.
    expect(await replicas(c, 'web')).toBe('4/3');
    expect((await current(c, 'web')).every((r) => r.Node !== 'w1')).toBe(true);

    // The node comes back: its agent shuts the stale task down; nothing moves back.
    await given(c, 'host boot w1\n');
    expect((await history(c, lost.Name))[1]).toMatchObject({ ID: lost.ID, CurrentState: 'Shutdown less than a second ago' });
    expect(await replicas(c, 'web')).toBe('3/3');
    expect(perNode(await current(c, 'web')).w1).toBeUndefined();
  });

  it('with --restart-condition none its replicas are never replaced', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 2 --restart-condition none nginx\nhost crash w1\nadvance 1m\n');
    expect((await current(c, 'web')).map((r) => r.Node)).toEqual(['m1']);
  });
});

describe('global services', () => {
  it('one task per eligible node; a joiner gets one; a drained node’s task is shut down and not moved', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'host add w3\nservice create -d --name agent --mode global nginx\n');
    const ids = Object.fromEntries((await ls(c)).map((r) => [r.Name, r.ID]));
    expect(ids.agent).toBeDefined();
    let rows = await current(c, 'agent');
    expect(perNode(rows)).toEqual({ m1: 1, w1: 1, w2: 1 });
    // Global task names are <service>.<node ID>.
    const nodeIds = Object.fromEntries((await c.ok('node', 'ls', '--format', '{{.Hostname}} {{.ID}}')).trim().split('\n').map((l) => l.split(' ')));
    expect(rows.map((r) => r.Name).sort()).toEqual(['m1', 'w1', 'w2'].map((h) => `agent.${nodeIds[h]}`).sort());
    expect(await replicas(c, 'agent')).toBe('3/3');

    await given(c, '--on w3 swarm join --token $(swarm join-token -q worker) m1:2377\n');
    expect(perNode(await current(c, 'agent'))).toEqual({ m1: 1, w1: 1, w2: 1, w3: 1 });

    await given(c, 'node update --availability drain w1\nadvance 10s\n');
    rows = await ps(c, 'agent');
    expect(perNode(rows.filter((r) => r.DesiredState === 'Running'))).toEqual({ m1: 1, w2: 1, w3: 1 });
    expect(rows.find((r) => r.Node === 'w1')).toMatchObject({ DesiredState: 'Shutdown', CurrentState: 'Shutdown 10 seconds ago' });
    expect(await replicas(c, 'agent')).toBe('3/3');

    // Constraints limit the eligible nodes; scale is refused for global services.
    await given(c, 'service create -d --name wk --mode global --constraint node.role==worker nginx\n');
    expect(perNode(await current(c, 'wk'))).toEqual({ w2: 1, w3: 1 });
    expect(await refusedWith(c, 'service', 'scale', 'agent=3')).toBe('Error: agent: scale can only be used with replicated or replicated-job mode');
  });

  it('a paused node keeps its task but gets none for a new global service', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name a --mode global nginx\nnode update --availability pause w1\nservice create -d --name b --mode global nginx\n');
    expect(perNode(await current(c, 'a'))).toEqual({ m1: 1, w1: 1 });
    expect(perNode(await current(c, 'b'))).toEqual({ m1: 1 });
  });

  it('a global task that fails on a paused node is shut down, not restarted', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name a --mode global nginx\nnode update --availability pause w1\n');
    const t = (await current(c, 'a')).find((r) => r.Node === 'w1')!;
    await given(c, `task fail ${t.ID}\nadvance 1m\n`);
    expect((await ps(c, 'a')).filter((r) => r.Node === 'w1').map((r) => [r.ID, r.DesiredState, r.CurrentState.split(' ')[0]])).toEqual([[t.ID, 'Shutdown', 'Failed']]);
    expect(await replicas(c, 'a')).toBe('1/1');
  });

  it('node rm --force of a dead node whose global slot holds two tasks removes each task once', async () => {
    // Both tasks of the slot are told to go, one event after the other: the reaper saw the first one's
    // deletion still queued when the second came, and deleted it twice (an internal error before).
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name g --mode global nginx\nadvance 10s\nservice update -d --image nginx:2 g\nadvance 30s\nhost crash w1\nadvance 1m\n');
    const r = await c.run('node', 'rm', '--force', 'w1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const removed = (await log(c)).filter((e) => e.event.type === 'TaskRemoved').map((e) => (e.event as { taskId: string }).taskId);
    expect(removed.length).toBeGreaterThan(0);
    expect(new Set(removed).size).toBe(removed.length);
    expect(perNode(await current(c, 'g'))).toEqual({ m1: 1 });
  });

  it('a failed global task restarts on its own node', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name a --mode global nginx\n');
    const t = (await current(c, 'a')).find((r) => r.Node === 'w1')!;
    await given(c, `task fail ${t.ID}\nadvance 5s\n`);
    const rows = (await ps(c, 'a')).filter((r) => r.Node === 'w1');
    expect(rows[0]).toMatchObject({ Name: t.Name, DesiredState: 'Running', CurrentState: 'Running less than a second ago' });
    expect(rows[1]).toMatchObject({ ID: t.ID, Name: ` \\_ ${t.Name}`, CurrentState: 'Failed 5 seconds ago' });
  });
});

describe('no leader, no healing', () => {
  it('without quorum the dead task is not replaced and service commands fail; a new leader heals', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1', 'm2', 'm3'], workers: ['w1'] }, 'service create -d --name web --replicas 4 --constraint node.role==worker nginx\n');
    const t = await slot(c, 'web.1');
    await given(c, `host crash m2\nhost crash m3\nadvance 30s\ntask fail ${t.ID}\nadvance 1m\n`);
    const NO_LEADER = "Error: Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
    expect(await refusedWith(c, '--on', 'm1', 'service', 'ls')).toBe(NO_LEADER);
    expect(await refusedWith(c, '--on', 'm1', 'service', 'scale', 'web=5')).toBe(`Error: web: ${NO_LEADER.slice('Error: '.length)}`);
    // The other tasks keep running on w1.
    expect((await c.ok('--on', 'w1', 'ps', '-q')).trim().split('\n')).toHaveLength(3);

    await given(c, 'host boot m2\nadvance 30s\n');
    const rows = await history(c, 'web.1');
    expect(rows[1]).toMatchObject({ ID: t.ID, CurrentState: expect.stringMatching(/^Failed/) });
    expect(rows[0]).toMatchObject({ DesiredState: 'Running', CurrentState: expect.stringMatching(/^Running/) });
    expect(await replicas(c, 'web')).toBe('4/4');
  });

  it('service commands typed on a worker are refused with Docker’s message', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web nginx\n');
    const commands = [['service', 'ls'], ['service', 'ps', 'web'], ['service', 'create', '--name', 'x', 'nginx'], ['service', 'scale', 'web=2'], ['service', 'rm', 'web'], ['secret', 'ls'], ['stack', 'ls']];
    expect(await refusedEach(c, commands.map((args) => ['--on', 'w1', ...args]))).toEqual(commands.map((args) =>
      args[1] === 'scale' ? `Error: web: Error response from daemon: ${NOT_A_MANAGER}` : `Error: Error response from daemon: ${NOT_A_MANAGER}`));
  });
});
