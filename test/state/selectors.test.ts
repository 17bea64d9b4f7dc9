/** Selectors: quorum arithmetic, liveness, leadership, Docker's natural sort. */
import { describe, expect, it } from 'vitest';
import { isNodeAlive, naturalLess, quorumOf, selectLeader, selectRaftHealth } from '../../src/state/selectors.js';
import { tget } from '../../src/state/table.js';
import { cluster, crashed, M1, stateOf, W1 } from '../helpers/events.js';

describe('selectors', () => {
  it('quorum is ⌊N/2⌋+1 managers', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('raft health counts the managers whose hosts are up', () => {
    expect(selectRaftHealth(stateOf(cluster()))).toMatchObject({ managers: 3, quorum: 2, hasQuorum: true });
    const oneDown = selectRaftHealth(stateOf([...cluster(), crashed('m3')]));
    expect(oneDown.up.map((n) => n.hostname).sort()).toEqual(['m1', 'm2']);
    expect(oneDown.hasQuorum).toBe(true);
    expect(selectRaftHealth(stateOf([...cluster(), crashed('m3'), crashed('m2')])).hasQuorum).toBe(false);
  });

  it('a leader whose host is down is no leader; a crashed node is not alive', () => {
    const s = stateOf([...cluster(), crashed('m1'), crashed('w1')]);
    expect(s.swarm!.raft.leaderId).toBe(M1);
    expect(selectLeader(s)).toBeUndefined();
    expect(isNodeAlive(s, tget(s.nodes, W1)!)).toBe(false);
    expect(selectLeader(stateOf(cluster()))!.hostname).toBe('m1');
  });

  it('natural sort orders digit runs as numbers (docker node ls order)', () => {
    const names = ['worker10', 'worker2', 'manager1', 'worker1', 'Worker3', 'worker02'];
    expect([...names].sort(naturalLess)).toEqual(['Worker3', 'manager1', 'worker1', 'worker2', 'worker02', 'worker10']);
  });
});
