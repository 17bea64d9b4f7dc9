/** The swarm slice: CA, tokens, settings, and Raft leadership as the controllers record it. */
import { describe, expect, it } from 'vitest';
import { cluster, given, M1, M2, M3, swarmInitialized } from '../helpers/events.js';

describe('swarm reducer', () => {
  it('SwarmInitialized: the first node leads term 1; nothing is pending', () => {
    given(...cluster()).when().then((s) => {
      expect(s.swarm).toMatchObject({
        id: 'swarm00000000000000000001', caDigest: 'ab'.repeat(32),
        heartbeatPeriodMs: 5000, defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789, taskHistoryLimit: 5,
      });
      expect(s.swarm!.raft).toEqual({ leaderId: M1, term: 1, leaderSinceMs: 0, electionDueMs: null, candidateId: null, stepDownDueMs: null });
    });
  });

  it('there is one swarm', () => {
    given(...cluster()).when(swarmInitialized('m2', 'another000000000000000000', '10.0.0.2')).violates('invariant violated: no swarm yet');
  });

  it('JoinTokenRotated replaces only that role\'s secret and bumps the swarm version', () => {
    given(...cluster()).when({ type: 'JoinTokenRotated', role: 'worker', sealed: 'sealed-x' }).then((s, before) => {
      expect(s.swarm!.workerTokenSealed).toBe('sealed-x');
      expect(s.swarm!.managerTokenSealed).toBe(before.swarm!.managerTokenSealed);
      expect(s.swarm!.version).toBe(before.swarm!.raftIndex + 1);
    });
  });

  it('leader lost → election scheduled → leader elected, with a higher term', () => {
    given(...cluster())
      .when(
        { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' },
        { type: 'RaftElectionScheduled', dueMs: 12_300, candidateId: M3 },
      )
      .then((s) => expect(s.swarm!.raft).toMatchObject({ leaderId: null, term: 1, electionDueMs: 12_300, candidateId: M3 }));
    given(...cluster(), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }, { type: 'RaftElectionScheduled', dueMs: 12_300, candidateId: M3 },
      { type: 'ClockAdvanced', fromMs: 0, toMs: 12_300 })
      .when({ type: 'RaftLeaderElected', nodeId: M3, term: 2 })
      .then((s) => expect(s.swarm!.raft).toEqual({ leaderId: M3, term: 2, leaderSinceMs: 12_300, electionDueMs: null, candidateId: null, stepDownDueMs: null }));
  });

  it('only the leader can be lost, and terms only increase', () => {
    given(...cluster()).when({ type: 'RaftLeaderLost', nodeId: M2, term: 1, reason: 'leader down' }).violates('the lost leader was the leader');
    given(...cluster()).when({ type: 'RaftLeaderElected', nodeId: M2, term: 1 }).violates('terms only increase');
  });

  it('a failed election spends its term; a step-down can be scheduled and cancelled', () => {
    given(...cluster(), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }, { type: 'RaftElectionScheduled', dueMs: 15_000, candidateId: M2 })
      .when({ type: 'RaftElectionFailed', term: 2, upManagers: 1, quorum: 2 })
      .then((s) => expect(s.swarm!.raft).toMatchObject({ leaderId: null, term: 2, electionDueMs: null, candidateId: null }));
    given(...cluster()).when({ type: 'RaftStepDownScheduled', dueMs: 10_000 })
      .then((s) => expect(s.swarm!.raft).toMatchObject({ leaderId: M1, stepDownDueMs: 10_000 }));
    given(...cluster(), { type: 'RaftStepDownScheduled', dueMs: 10_000 }).when({ type: 'RaftStepDownCancelled' })
      .then((s) => expect(s.swarm!.raft.stepDownDueMs).toBeNull());
  });
});
