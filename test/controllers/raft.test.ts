/**
 * Raft leadership. First the pure reaction (one fact in, events out), then scenarios through the real
 * reactor in memory: no LevelDB, no timers, virtual time only.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { ELECTION_TIMEOUT_MIN_MS, raftController, raftReact } from '../../src/controllers/raft/index.js';
import { Prng } from '../../src/sim/prng.js';
import { evolve } from '../../src/state/index.js';
import type { State } from '../../src/state/types.js';
import { booted, clock, cluster, crashed, M1, M2, M3, stateOf, W1 } from '../helpers/events.js';
import { TestEngine } from '../helpers/engine.js';

const deps = (stream = 99) => ({ rng: () => new Prng(7, stream) });

/** The state after `events`, and raft's reaction to the last of them. */
function react(events: EngineEvent[], stream = 99): { state: State; out: EngineEvent[] } {
  const state = stateOf(events);
  return { state, out: raftReact({ event: events.at(-1)!, state }, deps(stream)) };
}

describe('raftReact (pure)', () => {
  it('the leader\'s host crashes: the leader is lost in its term', () => {
    expect(react([...cluster(), crashed('m1')]).out).toEqual([{ type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }]);
  });

  it('a worker or a follower crashing while a quorum stays up changes nothing', () => {
    expect(react([...cluster(), crashed('w1')]).out).toEqual([]);
    expect(react([...cluster(), crashed('m3')]).out).toEqual([]);
  });

  it('a follower crash that leaves the leader without a quorum schedules its step-down (CheckQuorum)', () => {
    const { out } = react([...cluster(), crashed('m3'), clock(0, 2000), crashed('m2')]);
    expect(out).toEqual([{ type: 'RaftStepDownScheduled', dueMs: 2000 + ELECTION_TIMEOUT_MIN_MS }]);
  });

  it('leader lost with a quorum up: one election, due 10–20 s later, whose candidate is an up manager', () => {
    const lost: EngineEvent = { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' };
    const dues = new Set<number>();
    for (let stream = 1; stream <= 40; stream++) {
      const { out } = react([...cluster(), clock(0, 5000), crashed('m1'), lost], stream);
      expect(out).toHaveLength(1);
      const e = out[0]!;
      expect(e.type).toBe('RaftElectionScheduled');
      if (e.type !== 'RaftElectionScheduled') return;
      expect(e.dueMs).toBeGreaterThanOrEqual(5000 + 10_000);
      expect(e.dueMs).toBeLessThan(5000 + 20_000);
      expect([M2, M3]).toContain(e.candidateId);
      dues.add(e.dueMs);
    }
    expect(dues.size).toBeGreaterThan(5); // randomized, from the batch's PRNG stream
    // …and deterministic: the same stream draws the same timeout.
    expect(react([...cluster(), crashed('m1'), lost], 3).out).toEqual(react([...cluster(), crashed('m1'), lost], 3).out);
  });

  it('leader lost without a quorum: no election', () => {
    const { out } = react([...cluster(), crashed('m2'), crashed('m3'), crashed('m1'), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }]);
    expect(out).toEqual([]);
  });

  it('the election deadline: the candidate wins term+1 if a quorum is up, else the election fails', () => {
    const pending = [...cluster(), crashed('m1'), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' } as EngineEvent,
      { type: 'RaftElectionScheduled', dueMs: 12_000, candidateId: M3 } as EngineEvent];
    expect(react([...pending, clock(0, 11_999)]).out).toEqual([]);
    expect(react([...pending, clock(0, 12_000)]).out).toEqual([{ type: 'RaftLeaderElected', nodeId: M3, term: 2 }]);
    // The candidate crashed meanwhile and only 1 of 3 managers is up: the election fails.
    expect(react([...pending, crashed('m3'), clock(0, 12_000)]).out)
      .toEqual([{ type: 'RaftElectionFailed', term: 2, upManagers: 1, quorum: 2 }]);
    // The candidate crashed but m1 came back: a quorum (m1, m2) elects an up manager instead.
    const out = react([...pending, crashed('m3'), booted('m1'), clock(0, 12_000)]).out;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'RaftLeaderElected', term: 2 });
    expect([M1, M2]).toContain((out[0] as { nodeId: string }).nodeId);
  });

  it('the step-down deadline: the leader is lost for lack of quorum', () => {
    const s = [...cluster(), crashed('m2'), crashed('m3'), { type: 'RaftStepDownScheduled', dueMs: 10_000 } as EngineEvent];
    expect(react([...s, clock(0, 9_999)]).out).toEqual([]);
    expect(react([...s, clock(0, 10_000)]).out).toEqual([{ type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'quorum lost' }]);
  });

  it('a manager boots: a pending step-down is cancelled, or a leaderless swarm with a quorum schedules an election', () => {
    const stepping = [...cluster(), crashed('m2'), crashed('m3'), { type: 'RaftStepDownScheduled', dueMs: 10_000 } as EngineEvent];
    expect(react([...stepping, booted('m3')]).out).toEqual([{ type: 'RaftStepDownCancelled' }]);
    const leaderless = [...cluster(), crashed('m2'), crashed('m3'), crashed('m1'), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' } as EngineEvent];
    expect(react([...leaderless, booted('m2')]).out).toEqual([]); // 1 of 3 up: still no quorum
    const out = react([...leaderless, booted('m2'), booted('m3')]).out;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'RaftElectionScheduled' });
    expect(react([...cluster(), crashed('w1'), booted('w1')]).out).toEqual([]); // workers do not vote
  });

  it('the leader demoted or gone: leader lost (leader left); other nodes\' changes do nothing', () => {
    expect(react([...cluster(), { type: 'NodeRoleChanged', nodeId: M1, from: 'manager', to: 'worker' }]).out)
      .toEqual([{ type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader left' }]);
    expect(react([...cluster(), { type: 'NodeLeft', nodeId: M1, host: 'm1' }]).out)
      .toEqual([{ type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader left' }]);
    expect(react([...cluster(), { type: 'NodeRoleChanged', nodeId: W1, from: 'worker', to: 'manager' }]).out).toEqual([]);
  });

  it('a follower leaving the swarm so that the leader loses its quorum schedules the step-down', () => {
    const { out } = react([...cluster(), crashed('m3'), { type: 'NodeLeft', nodeId: M2, host: 'm2' }]);
    expect(out).toEqual([{ type: 'RaftStepDownScheduled', dueMs: ELECTION_TIMEOUT_MIN_MS }]);
  });

  it('nextDeadline is the earliest pending election or step-down still ahead', () => {
    const s = stateOf([...cluster(), { type: 'RaftStepDownScheduled', dueMs: 10_000 }]);
    expect(raftController.nextDeadline!(s)).toBe(10_000);
    expect(raftController.nextDeadline!(evolve(s, clock(0, 10_000)))).toBeNull();
    expect(raftController.nextDeadline!(stateOf(cluster()))).toBeNull();
  });
});

describe('raft through the reactor', () => {
  it('leader crash with a quorum: lost, election 10–20 s later, the candidate elected exactly at the deadline', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1', 'w2']);
    const batch = t.crash('m1');
    expect(batch.map((e) => e.type)).toEqual(['HostCrashed', 'RaftLeaderLost', 'RaftElectionScheduled']);
    const sched = batch[2] as Extract<EngineEvent, { type: 'RaftElectionScheduled' }>;
    expect(sched.dueMs).toBeGreaterThanOrEqual(10_000);
    expect(sched.dueMs).toBeLessThan(20_000);
    expect(t.leader()).toBeUndefined();

    const mark = t.lastSeq;
    t.advance(sched.dueMs - 1);
    expect(t.since(mark, 'RaftLeaderElected')).toEqual([]);
    t.advance(25_000);
    const elected = t.since(mark, 'RaftLeaderElected');
    expect(elected).toHaveLength(1);
    expect(elected[0]!.atMs).toBe(sched.dueMs);
    expect(elected[0]!.event).toEqual({ type: 'RaftLeaderElected', nodeId: sched.candidateId, term: 2 });
    expect(['m2', 'm3']).toContain(t.leader());
  });

  it('without quorum: the leader steps down after the timeout, no election follows, nothing is ever elected', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.crash('m2');
    expect(t.crash('m3').map((e) => e.type)).toEqual(['HostCrashed', 'RaftStepDownScheduled']);
    expect(t.leader()).toBe('m1'); // still leading until CheckQuorum fires
    const mark = t.lastSeq;
    t.advance(60 * 60_000);
    expect(t.since(mark).filter((r) => r.event.type !== 'ClockAdvanced').map((r) => [r.atMs, r.event.type]))
      .toEqual([[10_000, 'RaftLeaderLost']]);
    expect(t.state.swarm!.raft.leaderId).toBeNull();
    // Quorum returns: an election follows.
    const b = t.boot('m2');
    expect(b.map((e) => e.type)).toEqual(['HostBooted', 'RaftElectionScheduled']);
    t.advance(20_000);
    expect(['m1', 'm2']).toContain(t.leader());
  });

  it('an election whose deadline finds no quorum fails; the next boot restores one and schedules again', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3']);
    t.crash('m1');
    t.crash('m2');
    const mark = t.lastSeq;
    t.advance(20_000);
    const failed = t.since(mark, 'RaftElectionFailed');
    expect(failed.map((r) => r.event)).toEqual([{ type: 'RaftElectionFailed', term: 2, upManagers: 1, quorum: 2 }]);
    t.boot('m2');
    t.advance(20_000);
    expect(t.state.swarm!.raft.term).toBe(3);
    expect(['m2', 'm3']).toContain(t.leader());
  });

  it('the same cluster, crash and advance with the same seed give the same events; another seed, other IDs', () => {
    const run = (seed: number) => {
      const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1'], seed);
      t.crash('m1');
      t.advance(40_000);
      return t.log;
    };
    expect(run(5)).toEqual(run(5));
    expect(JSON.stringify(run(6))).not.toBe(JSON.stringify(run(5)));
  });
});
