/**
 * Where tasks land, through the real CLI (swarmkit manager/scheduler: nodeLess, scheduleTaskGroup;
 * manager/orchestrator/replicated/slot.go for scale-down): spread, late joiners, scale-down order,
 * drain and pause. Ties beyond swarmkit's rules are random upstream, so these tests assert the
 * counts and the rules, never which of two tied nodes won.
 */
import { describe, expect, it } from 'vitest';
import { clis, current, given, perNode, ps, spread, swarm } from '../services/support.js';

const cli = clis();
const FIVE = { managers: ['m1'], workers: ['w1', 'w2', 'w3', 'w4'] };

describe('spread (swarmkit TestHA)', () => {
  it('18 tasks on 5 empty nodes give 4,4,4,3,3; a second service fills the least loaded nodes', async () => {
    const c = cli();
    await swarm(c, FIVE, 'service create -d --name web --replicas 18 nginx\n');
    const web = await current(c, 'web');
    expect(web).toHaveLength(18);
    expect(spread(web)).toEqual([4, 4, 4, 3, 3]);
    const webOn = perNode(web);

    // Two tasks of another service: fewest tasks of that service (0 everywhere), then fewest in total.
    await given(c, 'service create -d --name api --replicas 2 nginx\n');
    const api = await current(c, 'api');
    expect(api.map((t) => webOn[t.Node])).toEqual([3, 3]);
    const apiOn = perNode(api);

    // Three more web tasks cover the two nodes with api tasks (3 web each) and one other node, never two on one node.
    await given(c, 'service scale -d web=21\n');
    const web21 = perNode(await current(c, 'web'));
    const grown = Object.keys(web21).filter((n) => web21[n] !== webOn[n]);
    expect(grown).toHaveLength(3);
    for (const n of grown) expect(web21[n]).toBe(webOn[n]! + 1);
    expect(Object.keys(apiOn).every((n) => grown.includes(n))).toBe(true);
    expect(Object.values(web21).sort()).toEqual([4, 4, 4, 4, 5]);

    // One more api task: not where api already runs, not on the node with 5 web tasks.
    await given(c, 'service scale -d api=3\n');
    const third = (await current(c, 'api')).find((t) => t.Name === 'api.3')!;
    expect(apiOn[third.Node]).toBeUndefined();
    expect(web21[third.Node]).toBe(4);
  });

  it('places every task of one create in the same instant: new → running with no advance', async () => {
    const c = cli();
    await swarm(c, FIVE, 'service create -d --name web --replicas 7 nginx\n');
    const rows = await ps(c, 'web');
    expect(rows.map((r) => r.CurrentState)).toEqual(Array(7).fill('Running less than a second ago'));
    expect(rows.map((r) => r.Name)).toEqual(['web.1', 'web.2', 'web.3', 'web.4', 'web.5', 'web.6', 'web.7']);
  });
});

describe('no rebalancing: a node that joins later gets only new tasks', () => {
  it('the joiner runs nothing until the service grows, then takes the new task', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\nhost add w3\n');
    const before = await current(c, 'web');
    await given(c, '--on w3 swarm join --token $(swarm join-token -q worker) m1:2377\nadvance 30s\n');
    const after = await current(c, 'web');
    expect(after.map((t) => [t.ID, t.Node])).toEqual(before.map((t) => [t.ID, t.Node]));
    expect(await c.ok('--on', 'w3', 'ps', '-q')).toBe('');

    await given(c, 'service scale -d web=4\n');
    const grown = await current(c, 'web');
    expect(grown.find((t) => t.Name === 'web.4')!.Node).toBe('w3');
    expect(grown.slice(0, 3).map((t) => t.ID)).toEqual(before.map((t) => t.ID));
  });
});

describe('scale down (slot.go): the most crowded nodes lose tasks first', () => {
  it('4 on w1, 2 and 1 elsewhere, scaled to 4: w1 keeps its two lowest slots, the others one each', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      // A constraint-only change restarts nothing (IsTaskDirty), so this builds an uneven layout.
      'service create -d --name web --replicas 4 --constraint node.hostname==w1 nginx',
      'service update -d --constraint-rm node.hostname==w1 --replicas 7 web',
    ].join('\n') + '\n');
    const seven = await current(c, 'web');
    expect(seven.filter((t) => t.Node === 'w1').map((t) => t.Name)).toEqual(['web.1', 'web.2', 'web.3', 'web.4']);
    expect(spread(seven)).toEqual([4, 2, 1]);

    await given(c, 'service scale -d web=4\n');
    const four = await ps(c, 'web');
    // Removed tasks are deleted by the task reaper once stopped: only the 4 kept slots remain.
    expect(four).toHaveLength(4);
    expect(perNode(four)).toEqual({ w1: 2, m1: 1, w2: 1 });
    expect(four.filter((t) => t.Node === 'w1').map((t) => t.Name)).toEqual(['web.1', 'web.2']);
    expect(four.every((t) => t.DesiredState === 'Running' && t.CurrentState.startsWith('Running'))).toBe(true);
  });

  it('a slot whose task is not running goes before running ones, whatever its number', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      'service create -d --name web --replicas 3 nginx',
      // No node matches any more: the rolling update replaces web.1 first (stop-first), and its new
      // task can never be placed, so the update stalls there with web.2 and web.3 still running.
      'service update -d --constraint-add node.labels.pool==gone web',
    ].join('\n') + '\n');
    const rows = await current(c, 'web');
    expect(rows.map((r) => [r.Name, r.CurrentState.split(' ')[0]])).toEqual([['web.1', 'Pending'], ['web.2', 'Running'], ['web.3', 'Running']]);
    expect(rows[0]!.Error).toBe('"no suitable node (scheduling …"');

    await given(c, 'service scale -d web=2\n');
    expect((await current(c, 'web')).map((t) => t.Name)).toEqual(['web.2', 'web.3']);
  });
});

describe('drain and pause', () => {
  it('drain moves the tasks off at once (no restart delay) and keeps their slots', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 6 nginx\n');
    const before = await current(c, 'web');
    const onW1 = before.filter((t) => t.Node === 'w1');
    expect(onW1).toHaveLength(2);
    await given(c, 'node update --availability drain w1\n');
    const rows = await ps(c, 'web');
    for (const old of onW1) {
      const slot = rows.filter((r) => r.Name.endsWith(old.Name));
      // The replacement already runs elsewhere, in the same instant: no `Ready` wait.
      expect(slot[0]).toMatchObject({ Name: old.Name, DesiredState: 'Running', CurrentState: 'Running less than a second ago' });
      expect(slot[0]!.Node).not.toBe('w1');
      expect(slot[0]!.ID).not.toBe(old.ID);
      expect(slot[1]).toMatchObject({ ID: old.ID, Name: ` \\_ ${old.Name}`, Node: 'w1', DesiredState: 'Shutdown', CurrentState: 'Shutdown less than a second ago' });
    }
    expect(perNode(await current(c, 'web'))).toEqual({ m1: 3, w2: 3 });
  });

  it('pause takes no new tasks but keeps the ones it runs', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\nnode update --availability pause w1\n');
    const before = await current(c, 'web');
    const kept = before.find((t) => t.Node === 'w1')!;
    await given(c, 'service scale -d web=9\nadvance 1m\n');
    const after = await current(c, 'web');
    expect(after.filter((t) => t.Node === 'w1').map((t) => t.ID)).toEqual([kept.ID]);
    expect(perNode(after)).toEqual({ w1: 1, m1: 4, w2: 4 });
  });

  it('managers are ordinary scheduling targets unless drained', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1', 'm2', 'm3'], workers: [] }, 'service create -d --name web --replicas 3 nginx\n');
    expect(perNode(await current(c, 'web'))).toEqual({ m1: 1, m2: 1, m3: 1 });
  });
});
