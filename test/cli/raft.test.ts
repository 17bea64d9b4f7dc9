/** Leader loss and quorum loss as a user sees them through the CLI, in virtual time. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { FIVE_NODES, given, nodeRows, nodeStatus, refused } from '../helpers/refuse.js';

const NO_LEADER = "Error: Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

let cli: TestCli;
beforeEach(async () => {
  cli = new TestCli();
  await given(cli, FIVE_NODES);
});
afterEach(() => cli.cleanup());

async function events(type: string): Promise<{ seq: number; atMs: number; event: Record<string, unknown> }[]> {
  return (await cli.ok('log', '--json', '--type', type)).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('leader crash with quorum', () => {
  it('no leader until the election 10–20 s later; then the old leader is Unknown, and Down 30 s after', async () => {
    await cli.ok('host', 'crash', 'manager1');
    const [sched] = await events('RaftElectionScheduled');
    const dueMs = sched!.event.dueMs as number;
    expect(dueMs).toBeGreaterThanOrEqual(10_000);
    expect(dueMs).toBeLessThan(20_000);
    expect(await refused(cli, '--on', 'manager2', 'node', 'ls')).toBe(NO_LEADER);
    expect(await refused(cli, 'node', 'ls')).toBe(NO_LEADER); // without --on: an up manager answers, without a leader
    expect(await cli.ok('state')).toMatch(/NO LEADER \(election at \d+(\.\d+)?s\)\n/);

    await cli.ok('advance', '20s');
    const [elected] = await events('RaftLeaderElected');
    expect(elected!.atMs).toBe(dueMs);
    expect(elected!.event).toMatchObject({ term: 2 });
    const rows = await nodeRows(cli, '--on', 'manager2');
    const leader = rows.find((r) => r.ManagerStatus === 'Leader')!;
    expect(['manager2', 'manager3']).toContain(leader.Hostname);
    expect(rows.find((r) => r.Hostname === 'manager1')).toMatchObject({ Status: 'Unknown', ManagerStatus: 'Unreachable' });
    expect(rows.filter((r) => r.Hostname !== 'manager1').map((r) => r.Status)).toEqual(['Ready', 'Ready', 'Ready', 'Ready']);

    // Unknown for 6 heartbeat periods (30 s) after the election, then Down.
    await cli.ok('advance', `${dueMs + 29_999 - 20_000}ms`);
    expect(await nodeStatus(cli, 'manager1', '--on', 'manager2')).toBe('Unknown');
    await cli.ok('advance', '1ms');
    expect(await nodeStatus(cli, 'manager1', '--on', 'manager2')).toBe('Down');
    const [down] = (await events('NodeStatusChanged')).filter((e) => e.event.to === 'down');
    expect(down!.event.message).toBe('heartbeat failure for node in "unknown" state');
    expect(down!.atMs).toBe(dueMs + 30_000);

    // Without --on, docker commands go to the new leader.
    expect((await nodeRows(cli)).find((r) => r.Self)!.Hostname).toBe(leader.Hostname);
    await cli.ok('host', 'boot', 'manager1');
    expect((await nodeRows(cli)).find((r) => r.Hostname === 'manager1')).toMatchObject({ Status: 'Ready', ManagerStatus: 'Reachable' });
  });
});

describe('quorum lost', () => {
  it('the leader steps down; docker commands are refused, yet state, log and diff still work', async () => {
    await cli.ok('host', 'crash', 'manager2');
    await cli.ok('host', 'crash', 'manager3');
    expect((await nodeRows(cli)).find((r) => r.Self)!.ManagerStatus).toBe('Leader'); // until CheckQuorum fires
    await cli.ok('advance', '10s');
    const [lost] = await events('RaftLeaderLost');
    expect(lost!.event).toMatchObject({ reason: 'quorum lost', term: 1 });
    expect(lost!.atMs).toBe(10_000);

    await cli.ok('advance', '5m');
    expect(await events('RaftElectionScheduled')).toEqual([]);
    for (const argv of [['node', 'ls'], ['--on', 'manager1', 'node', 'ls'], ['--on', 'manager1', 'node', 'inspect', 'self'],
      ['--on', 'manager1', 'node', 'update', '--availability', 'drain', 'worker1'], ['--on', 'manager1', 'swarm', 'join-token', 'worker']]) {
      expect(await refused(cli, ...argv)).toBe(NO_LEADER);
    }
    const state = await cli.ok('state');
    expect(state).toMatch(/1\/3 managers up \(quorum 2\), NO LEADER \(quorum lost\)\n/);
    expect((await cli.ok('state', '--hash')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(await cli.ok('log', '-n', '1')).toMatch(/ClockAdvanced/);
    expect(await cli.ok('diff', '1', 'head')).toMatch(/^diff event 1 → HEAD \(event \d+\): \d+ changes\n/);
    // No dispatcher without a leader: silent nodes are never marked down.
    expect(JSON.parse(await cli.ok('state', '--json')).nodes).toSatisfy((nodes: Record<string, { state: string }>) =>
      Object.values(nodes).every((n) => n.state === 'ready'));

    // A manager comes back: quorum, an election, and the control plane answers again.
    await cli.ok('host', 'boot', 'manager2');
    await cli.ok('advance', '20s');
    const rows = await nodeRows(cli);
    expect(['manager1', 'manager2']).toContain(rows.find((r) => r.ManagerStatus === 'Leader')!.Hostname);
    expect(rows.find((r) => r.Hostname === 'manager3')!.Status).toBe('Unknown');
  });
});

describe('a crashed worker', () => {
  it('is Down after 15 s (5 s × 3) of virtual time and Ready again after host boot', async () => {
    await cli.ok('host', 'crash', 'worker1');
    await cli.ok('advance', '14999ms');
    expect(await nodeStatus(cli, 'worker1')).toBe('Ready');
    await cli.ok('advance', '1ms');
    expect(await nodeStatus(cli, 'worker1')).toBe('Down');
    expect(JSON.parse(await cli.ok('node', 'inspect', 'worker1'))[0].Status).toEqual({ State: 'down', Message: 'heartbeat failure', Addr: '192.168.99.103' });
    expect(await cli.ok('host', 'boot', 'worker1')).toBe('worker1\n');
    expect(await nodeStatus(cli, 'worker1')).toBe('Ready');
  });

  it('advance stops at the deadline: one advance of 1 m gives the down event at 15 s', async () => {
    await cli.ok('advance', '2s');
    await cli.ok('host', 'crash', 'worker2');
    expect(await cli.ok('advance', '1m')).toBe('virtual time is 1m2s (3 events)\n');
    const down = (await events('NodeStatusChanged'))[0]!;
    expect(down.atMs).toBe(17_000);
    expect(down.event).toMatchObject({ from: 'ready', to: 'down', message: 'heartbeat failure' });
  });
});
