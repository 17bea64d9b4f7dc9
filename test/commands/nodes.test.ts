/** docker node update / promote / demote / rm as pure deciders, with swarmkit's controlapi refusals. */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { decideNodeRm, decideNodeUpdate, decideRole, kvList, resolveNode } from '../../src/commands/nodes.js';
import { Rejection } from '../../src/commands/rejection.js';
import { decideSwarmLeave } from '../../src/commands/swarm.js';
import { TestEngine } from '../helpers/engine.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Rejection) return e.message;
    throw e;
  }
  throw new Error('expected a refusal, the command was accepted');
}

const FP = 'Error response from daemon: rpc error: code = FailedPrecondition desc = ';
const update = (t: TestEngine, ref: string, o: { availability?: string; role?: string; labelAdd?: string[]; labelRm?: string[] }) =>
  decideNodeUpdate(t.state, ref, { labelAdd: [], labelRm: [], ...o });

describe('resolveNode', () => {
  it('finds a node by full ID, hostname, or unique ID prefix, as Docker does', () => {
    const t = TestEngine.cluster(['m1'], ['w1', 'w2']);
    const w1 = t.node('w1');
    expect(resolveNode(t.state, w1.id)).toBe(w1);
    expect(resolveNode(t.state, 'w1')).toBe(w1);
    expect(resolveNode(t.state, w1.id.slice(0, 5))).toBe(w1);
    expect(refusal(() => resolveNode(t.state, 'nope'))).toBe('Error response from daemon: node nope not found');
    expect(refusal(() => resolveNode(t.state, ''))).toBe('Error response from daemon: node  is ambiguous (3 matches found)');
  });

  it('a host that left and rejoined has two nodes: the hostname means the live one', () => {
    const t = TestEngine.cluster(['m1'], ['w1']);
    const old = t.node('w1').id;
    t.batch((s) => decideSwarmLeave(s, t.host('w1'), false));
    t.join('w1', 'worker');
    expect(t.node('w1').id).not.toBe(old);
    expect(resolveNode(t.state, 'w1').id).toBe(t.node('w1').id);
  });
});

describe('node update', () => {
  it('availability, case-insensitive; the same value is no change', () => {
    const t = TestEngine.cluster(['m1'], ['w1']);
    const id = t.node('w1').id;
    expect(update(t, 'w1', { availability: 'Drain' })).toEqual([{ type: 'NodeAvailabilityChanged', nodeId: id, from: 'active', to: 'drain' }]);
    expect(update(t, 'w1', { availability: 'active' })).toEqual([]);
    expect(refusal(() => update(t, 'w1', { availability: 'off' }))).toBe('Error response from daemon: invalid Availability: "off"');
    expect(refusal(() => update(t, 'w1', { role: 'boss' }))).toBe('Error response from daemon: invalid Role: "boss"');
  });

  it('labels: added first, then removed (docker/cli mergeNodeUpdate); a missing key is refused', () => {
    const t = TestEngine.cluster(['m1'], ['w1']);
    const id = t.node('w1').id;
    const add = update(t, 'w1', { labelAdd: ['zone=a', 'ssd', 'k=v=w'] });
    expect(add).toEqual([{ type: 'NodeLabelsChanged', nodeId: id, added: { zone: 'a', ssd: '', k: 'v=w' }, removed: [] }]);
    t.emit(...add);
    expect(t.node('w1').labels).toEqual({ zone: 'a', ssd: '', k: 'v=w' });
    expect(update(t, 'w1', { labelAdd: ['zone=b'], labelRm: ['ssd'] }))
      .toEqual([{ type: 'NodeLabelsChanged', nodeId: id, added: { zone: 'b' }, removed: ['ssd'] }]);
    expect(update(t, 'w1', { labelAdd: ['zone=a'] })).toEqual([]); // unchanged value
    // Added then removed in one command: gone, as in Docker.
    expect(update(t, 'w1', { labelAdd: ['zone=c'], labelRm: ['zone'] })).toEqual([{ type: 'NodeLabelsChanged', nodeId: id, added: {}, removed: ['zone'] }]);
    expect(update(t, 'w1', { labelAdd: ['new=1'], labelRm: ['new'] })).toEqual([]);
    expect(refusal(() => update(t, 'w1', { labelRm: ['nope'] }))).toBe("key nope doesn't exist in node's labels");
    expect(refusal(() => update(t, 'w1', { availability: 'drain', labelRm: ['zone=a'] }))).toBe("key zone=a doesn't exist in node's labels");
  });

  it('kvList reads key=value as docker does (a bare key has an empty value; the last one wins)', () => {
    expect(kvList(['a=1', 'b', 'a=2', 'c=x=y'])).toEqual({ a: '2', b: '', c: 'x=y' });
  });
});

describe('promote / demote', () => {
  it('promotion and demotion are role changes; the same role is no change', () => {
    const t = TestEngine.cluster(['m1', 'm2'], ['w1']);
    expect(decideRole(t.state, t.node('w1'), 'manager')).toEqual([{ type: 'NodeRoleChanged', nodeId: t.node('w1').id, from: 'worker', to: 'manager' }]);
    expect(decideRole(t.state, t.node('w1'), 'worker')).toEqual([]);
    expect(decideRole(t.state, t.node('m2'), 'worker')).toEqual([{ type: 'NodeRoleChanged', nodeId: t.node('m2').id, from: 'manager', to: 'worker' }]);
  });

  it('demoting the last manager is refused', () => {
    const t = TestEngine.cluster(['m1'], ['w1']);
    expect(refusal(() => decideRole(t.state, t.node('m1'), 'worker'))).toBe(FP + 'attempting to demote the last manager of the swarm');
    expect(refusal(() => update(t, 'm1', { role: 'worker' }))).toBe(FP + 'attempting to demote the last manager of the swarm');
  });

  it('a demotion that would lose quorum is refused (CanRemoveMember)', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3']);
    t.crash('m3');
    // 3 members, m3 unreachable: removing m2 leaves 1 reachable of 2, quorum of 2 needs 2.
    expect(refusal(() => decideRole(t.state, t.node('m2'), 'worker')))
      .toBe(FP + "can't remove member from the raft: this would result in a loss of quorum");
    // Removing the unreachable one keeps m1 and m2: allowed.
    expect(decideRole(t.state, t.node('m3'), 'worker').map((e) => e.type)).toEqual(['NodeRoleChanged']);
  });

  it('demoting the leader hands leadership over by an election', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3']);
    const batch = t.batch((s) => decideRole(s, t.node('m1'), 'worker'));
    expect(batch.map((e) => e.type)).toEqual(['NodeRoleChanged', 'RaftLeaderLost', 'RaftElectionScheduled']);
    expect(batch[1]).toMatchObject({ reason: 'leader left' });
    t.advance(20_000);
    expect(['m2', 'm3']).toContain(t.leader());
  });
});

describe('node rm', () => {
  it('a manager must be demoted first; a ready node needs --force; a down one goes', () => {
    const t = TestEngine.cluster(['m1'], ['w1', 'w2']);
    const m1 = t.node('m1').id;
    const w1 = t.node('w1').id;
    expect(refusal(() => decideNodeRm(t.state, 'm1', true)))
      .toBe(FP + `node ${m1} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
    expect(refusal(() => decideNodeRm(t.state, 'w1', false))).toBe(FP + `node ${w1} is not down and can't be removed`);
    // --force on a live node: it is kicked out of the swarm, then deleted.
    expect(decideNodeRm(t.state, 'w1', true)).toEqual([{ type: 'NodeLeft', nodeId: w1, host: 'w1' }, { type: 'NodeRemoved', nodeId: w1 }]);
    t.crash('w2');
    t.advance(20_000);
    const w2 = t.node('w2').id;
    expect(decideNodeRm(t.state, 'w2', false)).toEqual([{ type: 'NodeLeft', nodeId: w2, host: 'w2' }, { type: 'NodeRemoved', nodeId: w2 }]);
  });

  it('a node that left is only a record: removing it deletes the record', () => {
    const t = TestEngine.cluster(['m1'], ['w1']);
    const w1 = t.node('w1').id;
    t.batch((s) => decideSwarmLeave(s, t.host('w1'), false));
    const out: EngineEvent[] = decideNodeRm(t.state, w1, false);
    expect(out).toEqual([{ type: 'NodeRemoved', nodeId: w1 }]);
  });

  it('only a ready node is "not down": an unknown one may be removed without --force', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.crash('w1');
    t.crash('m1');
    t.advance(20_000); // new leader: the silent w1 is unknown
    expect(t.node('w1').state).toBe('unknown');
    expect(decideNodeRm(t.state, 'w1', false).map((e) => e.type)).toEqual(['NodeLeft', 'NodeRemoved']);
  });
});
