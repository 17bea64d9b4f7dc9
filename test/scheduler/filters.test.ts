/**
 * The filter pipeline and placement preferences through the CLI (swarmkit manager/scheduler
 * pipeline.go, filter.go, nodeset.go): constraints, spread preferences (TestPreferences,
 * TestMultiplePreferences), --replicas-max-per-node, reservations against the hosts' --cpus/--memory,
 * and the `no suitable node (…)` explanations in `service ps` (each node counted under the first
 * filter that refused it, sorted by count).
 */
import { describe, expect, it } from 'vitest';
import { clis, current, given, inspect, ls, perNode, ps, replicas, spread, swarm } from '../services/support.js';

const cli = clis();

describe('constraints', () => {
  it('node.role, node.hostname, node.labels (case-insensitive value), engine.labels from host add --label', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2', 'w3'], hostFlags: { w2: '--label disk=ssd' } }, [
      'node update --label-add zone=A w1',
      'node update --label-add zone=b w3',
      'service create -d --name workers --replicas 6 --constraint node.role==worker nginx',
      'service create -d --name notw1 --replicas 6 --constraint node.hostname!=w1 nginx',
      'service create -d --name zone --replicas 2 --constraint node.labels.zone==a nginx',
      'service create -d --name ssd --replicas 2 --constraint engine.labels.disk==SSD nginx',
      'service create -d --name both --replicas 3 --constraint node.role==worker --constraint node.labels.zone!=a nginx',
    ].join('\n') + '\n');
    expect(perNode(await current(c, 'workers'))).toEqual({ w1: 2, w2: 2, w3: 2 });
    expect(perNode(await current(c, 'notw1'))).toEqual({ m1: 2, w2: 2, w3: 2 });
    expect(perNode(await current(c, 'zone'))).toEqual({ w1: 2 });
    expect(perNode(await current(c, 'ssd'))).toEqual({ w2: 2 });
    // A missing label matches != : w2 (no zone) and w3 (zone=b), never w1 (zone=A) nor the manager.
    const both = perNode(await current(c, 'both'));
    expect(Object.keys(both).sort()).toEqual(['w2', 'w3']);
  });

  it('an unknown key never matches, even with != : the task stays pending with the explanation', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --constraint node.abc!=x nginx\n');
    const [t] = await ps(c, 'web', '--no-trunc');
    expect(t).toMatchObject({ Node: '', DesiredState: 'Running', CurrentState: 'Pending less than a second ago', Error: '"no suitable node (scheduling constraints not satisfied on 3 nodes)"' });
    expect(await replicas(c, 'web')).toBe('0/1');
  });

  it('a pending task is retried on every scheduler tick: a label added later places it', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --constraint node.labels.pool==x nginx\n');
    expect((await ps(c, 'web'))[0]!.CurrentState).toBe('Pending less than a second ago');
    await given(c, 'node update --label-add pool=x w1\n');
    expect((await ps(c, 'web'))[0]).toMatchObject({ Node: 'w1', CurrentState: 'Running less than a second ago', Error: '' });
  });

  it('a constraint update moves, by rolling update, only the tasks whose node no longer matches (IsTaskDirty)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\n');
    const before = await current(c, 'web');
    await given(c, 'service update -d --constraint-add node.role==worker web\n');
    const after = await current(c, 'web');
    const moved = before.find((t) => t.Node === 'm1')!;
    for (const t of before.filter((x) => x.Node !== 'm1')) expect(after.find((x) => x.Name === t.Name)!.ID).toBe(t.ID);
    const replaced = after.find((x) => x.Name === moved.Name)!;
    expect(replaced.ID).not.toBe(moved.ID);
    expect(replaced.Node).toMatch(/^w[12]$/);
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');
  });

  it('updating only the constraints restarts nothing whose node still matches (IsTaskDirty)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 2 --constraint node.role==worker nginx\n');
    const before = await ps(c, 'web');
    await given(c, 'service update -d --constraint-add node.hostname!=m1 web\n');
    expect(await ps(c, 'web')).toEqual(before);
  });
});

describe('placement preferences', () => {
  it('spread over node.labels.az: 1 node in az1 and 4 in az2, 8 tasks give 4 and 1,1,1,1 (TestPreferences)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2', 'w3', 'w4'] }, [
      'node update --label-add az=az1 m1',
      ...['w1', 'w2', 'w3', 'w4'].map((w) => `node update --label-add az=az2 ${w}`),
      'service create -d --name web --replicas 8 --placement-pref spread=node.labels.az nginx',
    ].join('\n') + '\n');
    expect(perNode(await current(c, 'web'))).toEqual({ m1: 4, w1: 1, w2: 1, w3: 1, w4: 1 });
  });

  it('nodes without the label form one more branch, ""', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      'node update --label-add az=a w1',
      'service create -d --name web --replicas 6 --placement-pref spread=node.labels.az nginx',
    ].join('\n') + '\n');
    // Branches: "a" = {w1}, "" = {m1, w2}: 3 tasks each (2 + 1 in the "" branch, whichever way the tie goes).
    const on = perNode(await current(c, 'web'));
    expect(on.w1).toBe(3);
    expect([on.m1, on.w2].sort()).toEqual([1, 2]);
  });

  it('a descriptor that is not node.labels.* or engine.labels.* is ignored', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2', 'w3', 'w4'] }, 'service create -d --name web --replicas 10 --placement-pref spread=node.hostname nginx\n');
    expect(spread(await current(c, 'web'))).toEqual([2, 2, 2, 2, 2]);
  });

  it('two levels with a full branch (TestMultiplePreferences): 12 tasks, az1 can only take 5', async () => {
    const c = cli();
    // m1 is id0 (too little memory), w1 is id1; w2-w4 are az2/rack1 and w5-w6 az2/rack2. 200 MiB per task, 1000 MiB hosts.
    const labels: Record<string, [string, string]> = { m1: ['az1', 'rack1'], w1: ['az1', 'rack1'], w2: ['az2', 'rack1'], w3: ['az2', 'rack1'], w4: ['az2', 'rack1'], w5: ['az2', 'rack2'], w6: ['az2', 'rack2'] };
    const workers = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    const hostFlags = Object.fromEntries([['m1', '--memory 100MiB'], ...workers.map((w) => [w, '--memory 1000MiB'])]);
    await swarm(c, { managers: ['m1'], workers, hostFlags }, [
      ...Object.entries(labels).map(([n, [az, rack]]) => `node update --label-add az=${az} --label-add rack=${rack} ${n}`),
      'service create -d --name web --replicas 12 --reserve-memory 200MiB --placement-pref spread=node.labels.az --placement-pref spread=node.labels.rack nginx',
    ].join('\n') + '\n');
    const on = perNode(await current(c, 'web'));
    expect(on.m1).toBeUndefined();
    expect(on.w1).toBe(5);
    const rack1 = (on.w2 ?? 0) + (on.w3 ?? 0) + (on.w4 ?? 0);
    const rack2 = (on.w5 ?? 0) + (on.w6 ?? 0);
    expect(rack1 + rack2).toBe(7);
    if (rack1 === 4) {
      expect([on.w2, on.w3, on.w4].sort()).toEqual([1, 1, 2]);
      expect([on.w5, on.w6].sort()).toEqual([1, 2]);
    } else {
      expect(rack1).toBe(3);
      expect([on.w2, on.w3, on.w4, on.w5, on.w6]).toEqual([1, 1, 1, 2, 2]);
    }
  });

  it('preferences never rebalance: a later scale-up only evens the branches with new tasks', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'service create -d --name web --replicas 4 --placement-pref spread=node.labels.az nginx',
      'node update --label-add az=x w1',
      'service scale -d web=6',
    ].join('\n') + '\n');
    // Before the label both nodes were in "" (2 + 2). Then branches "x" = {w1: 2} and "" = {m1: 2}: 1 new task each.
    expect(perNode(await current(c, 'web'))).toEqual({ m1: 3, w1: 3 });
  });
});

describe('--replicas-max-per-node', () => {
  it('caps the tasks per node; the rest wait with "max replicas per node limit exceed"', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 4 --replicas-max-per-node 1 nginx\n');
    const rows = await ps(c, 'web', '--no-trunc');
    expect(perNode(rows.filter((r) => r.Node))).toEqual({ m1: 1, w1: 1, w2: 1 });
    const pending = rows.find((r) => r.Node === '')!;
    expect(pending).toMatchObject({ Name: 'web.4', CurrentState: 'Pending less than a second ago', Error: '"no suitable node (max replicas per node limit exceed)"' });
    expect((await ls(c))[0]).toMatchObject({ Name: 'web', Replicas: '3/4 (max 1 per node)' });
    // A fourth node takes it.
    await given(c, 'host add w3\n--on w3 swarm join --token $(swarm join-token -q worker) m1:2377\n');
    expect(await replicas(c, 'web')).toBe('4/4 (max 1 per node)');
  });
});

describe('reservations (ResourceFilter) and the explanations', () => {
  it('reservations add up on a node against its --cpus; limits are ignored', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], hostFlags: { m1: '--cpus 2' } }, 'service create -d --name web --replicas 3 --reserve-cpu 1 --limit-cpu 8 nginx\n');
    const rows = await ps(c, 'web', '--no-trunc');
    expect(rows.filter((r) => r.CurrentState.startsWith('Running'))).toHaveLength(2);
    expect(rows[2]).toMatchObject({ Name: 'web.3', Error: '"no suitable node (insufficient resources on 1 node)"' });
    // Scaling down frees the reservation; a reservation no node can hold stalls the rolling update at its first slot.
    await given(c, 'service scale -d web=2\nservice update -d --reserve-memory 9GiB web\nadvance 1m\n');
    const big = await ps(c, 'web', '--no-trunc', '--filter', 'desired-state=running');
    expect(big.map((r) => [r.Name, r.CurrentState.split(' ')[0], r.Error])).toEqual([
      ['web.1', 'Pending', '"no suitable node (insufficient resources on 1 node)"'],
      ['web.2', 'Running', ''],
    ]);
  });

  it('each node is counted under the first filter that refused it, largest count first', async () => {
    const c = cli();
    await swarm(c, {
      managers: ['m1'], workers: ['w1', 'w2', 'w3', 'w4', 'w5'],
      hostFlags: { w1: '--cpus 1', w2: '--cpus 1 --label pool=x', w3: '--cpus 4', w4: '--cpus 4', w5: '--cpus 4' },
    }, 'node update --availability drain m1\nservice create -d --name p --reserve-cpu 2 --constraint engine.labels.pool==x nginx\n');
    const [t] = await ps(c, 'p', '--no-trunc');
    expect(t!.Error).toBe('"no suitable node (scheduling constraints not satisfied on 3 nodes; insufficient resources on 2 nodes; 1 node not available for new tasks)"');
    // Truncated to 30 characters with an ellipsis, as docker/cli's formatter.Ellipsis does.
    const [short] = await ps(c, 'p');
    expect(short!.Error).toBe('"no suitable node (scheduling …"');
    expect(await c.ok('service', 'ps', 'p')).toContain('"no suitable node (scheduling …"');
  });

  it('a lone node that is not ready: "1 node not available for new tasks"; nodes down count there too', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'node update --availability drain m1\nhost crash w1\nadvance 20s\nservice create -d --name web nginx\n');
    expect((await ps(c, 'web', '--no-trunc'))[0]!.Error).toBe('"no suitable node (2 nodes not available for new tasks)"');
    const c2 = cli();
    await swarm(c2, { managers: ['m1'] }, 'node update --availability pause m1\nservice create -d --name web nginx\n');
    expect((await ps(c2, 'web', '--no-trunc'))[0]!.Error).toBe('"no suitable node (1 node not available for new tasks)"');
  });
});
