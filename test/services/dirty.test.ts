/**
 * Which tasks a `service update` replaces (swarmkit orchestrator/task.go IsTaskDirty) and how failures
 * are weighed against --update-max-failure-ratio (update/updater.go: failures ÷ the slots that were
 * dirty when the update started, in float32).
 */
import { describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, current, given, inspect, ps, swarm } from './support.js';

const cli = clis();
const ids = async (c: TestCli, svc: string) => (await current(c, svc, '--no-trunc')).map((r) => r.ID);

describe('IsTaskDirty: what restarts tasks', () => {
  it('resources (reservations, limits) are part of the task spec: every slot is replaced', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 2 --update-parallelism 0 nginx\n');
    let before = await ids(c, 'web');
    await given(c, 'service update -d --reserve-memory 64M web\n');
    let after = await ids(c, 'web');
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');
    before = after;
    await given(c, 'advance 10s\nservice update -d --limit-cpu 0.5 web\n');
    after = await ids(c, 'web');
    expect(after.filter((id) => before.includes(id))).toEqual([]);
  });

  it('placement alone (preferences, max replicas per node, constraints still met) and replicas restart nothing', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 nginx\n');
    const before = await ps(c, 'web');
    for (const flags of ['--placement-pref-add spread=node.labels.az', '--replicas-max-per-node 2', '--constraint-add node.platform.os==linux', '--placement-pref-rm spread=node.labels.az']) {
      await given(c, `service update -d ${flags} web\n`);
      expect(await ps(c, 'web'), flags).toEqual(before);
      // No dirty slot: no update starts (updater.go returns before startUpdate).
      expect((await inspect(c, 'web')).UpdateStatus, flags).toBeUndefined();
    }
    const spec = (await inspect(c, 'web')).Spec.TaskTemplate.Placement;
    expect(spec).toMatchObject({ Constraints: ['node.platform.os==linux'], MaxReplicas: 2 });
    await given(c, 'service scale -d web=4\n');
    expect((await ps(c, 'web')).slice(0, 3)).toEqual(before);
  });

  it('a constraint the node no longer meets moves just that task; a task with no node is replaced too', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 --update-parallelism 0 nginx\nservice create -d --name stuck --constraint node.labels.zone==nowhere nginx\n');
    const rows = await current(c, 'web', '--no-trunc');
    await given(c, 'service update -d --constraint-add node.hostname!=m1 web\n');
    const after = await current(c, 'web', '--no-trunc');
    for (const [i, r] of rows.entries()) {
      if (r.Node === 'm1') expect(after[i]!.ID).not.toBe(r.ID);
      else expect(after[i]!.ID).toBe(r.ID);
    }
    expect(after.map((r) => r.Node)).not.toContain('m1');
    // IsTaskDirty: nodeMatches(nil) is false, so a pending task of a placement-only change is replaced…
    const [pending] = await ids(c, 'stuck');
    await given(c, 'service update -d --constraint-rm node.labels.zone==nowhere --constraint-add node.labels.zone==elsewhere stuck\n');
    const [replaced] = await ids(c, 'stuck');
    expect(replaced).not.toBe(pending);
    expect((await ps(c, 'stuck', '--no-trunc')).map((r) => [r.ID, r.DesiredState, r.CurrentState.split(' ')[0]])).toEqual([[replaced, 'Running', 'Pending']]);
    // …unless the scheduler places it in the same tick (the engine lets the scheduler win; swarmkit's
    // store would refuse one of the two writes): then it runs on, its node meeting the new constraints.
    await given(c, 'service update -d --constraint-rm node.labels.zone==elsewhere stuck\n');
    expect((await current(c, 'stuck', '--no-trunc')).map((r) => [r.ID, r.CurrentState.split(' ')[0]])).toEqual([[replaced, 'Running']]);
  });

  it('an update that makes a pending task schedulable: it is placed, then replaced like any placed task', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --reserve-memory 100GiB nginx\n');
    const [pending] = await ids(c, 'web');
    await given(c, 'service update -d --reserve-memory 0 web\n');
    const rows = await ps(c, 'web', '--no-trunc');
    expect(rows.map((r) => [r.ID === pending, r.DesiredState, r.CurrentState.split(' ')[0]])).toEqual([[false, 'Running', 'Running'], [true, 'Shutdown', 'Shutdown']]);
    expect((await c.ok('verify')).trim()).toMatch(/^ok: /);
  });
});

describe('--update-max-failure-ratio: failures ÷ the slots dirty when the update started', () => {
  it('4 dirty slots, ratio 0.5: 1 and 2 failures are tolerated (0.5 is not above 0.5), the 3rd pauses, naming it', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 4 --update-parallelism 0 --update-max-failure-ratio 0.5 nginx:1\nservice update -d --image nginx:2 web\n');
    const fresh = await ids(c, 'web');
    await given(c, `advance 1s\ntask fail ${fresh[0]}\ntask fail ${fresh[1]}\n`);
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');
    await given(c, `task fail ${fresh[2]}\n`);
    expect((await inspect(c, 'web')).UpdateStatus).toMatchObject({ State: 'paused', Message: `update paused due to failure or early termination of task ${fresh[2]}` });
  });

  it('only the dirty slots count: 2 of 4 slots dirty, both new tasks fail → 2/2 > 0.5 pauses (2/4 would not)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 4 --update-parallelism 0 --constraint node.role==worker nginx\n');
    const before = await current(c, 'web', '--no-trunc');
    expect(before.filter((r) => r.Node === 'w2')).toHaveLength(2);
    await given(c, 'service update -d --update-max-failure-ratio 0.5 --constraint-add node.hostname!=w2 web\n');
    const moved = (await current(c, 'web', '--no-trunc')).filter((r) => !before.some((b) => b.ID === r.ID));
    expect(moved.map((r) => r.Node)).toEqual(['w1', 'w1']);
    await given(c, `task fail ${moved[0]!.ID}\n`);
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');
    await given(c, `task fail ${moved[1]!.ID}\n`);
    expect((await inspect(c, 'web')).UpdateStatus).toMatchObject({ State: 'paused', Message: `update paused due to failure or early termination of task ${moved[1]!.ID}` });
  });

  it('failure action continue ignores failures whatever the ratio; a clean exit (complete) counts as a failure', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, [
      'service create -d --name a --update-failure-action continue nginx:1',
      'service create -d --name b nginx:1',
      'service update -d --image nginx:2 a',
      'service update -d --image nginx:2 b',
    ].join('\n') + '\n');
    const [a] = await ids(c, 'a');
    await given(c, `task fail ${a}\n--on m1 stop b.1\n`);
    expect((await inspect(c, 'b')).UpdateStatus.State).toBe('paused');
    await given(c, 'advance 10s\n');
    expect((await inspect(c, 'a')).UpdateStatus.State).toBe('completed');
  });
});
