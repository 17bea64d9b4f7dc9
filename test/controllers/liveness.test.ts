/**
 * Node liveness (the dispatcher's heartbeats): pure reactions first, then scenarios through the real
 * reactor in memory, in virtual time: 5 s heartbeats, Down after 3 silent periods, Unknown (then
 * 6 periods of grace) after a leader change.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { downDeadline, livenessController, livenessReact } from '../../src/controllers/liveness/index.js';
import { tget } from '../../src/state/table.js';
import { booted, clock, cluster, crashed, M1, M2, M3, stateOf, status, W1 } from '../helpers/events.js';
import { TestEngine } from '../helpers/engine.js';

const UNKNOWN_MSG = 'Node moved to "unknown" state due to leadership change in cluster';

function react(events: EngineEvent[]): EngineEvent[] {
  const state = stateOf(events);
  return livenessReact({ event: events.at(-1)!, state });
}

describe('livenessReact (pure)', () => {
  it('a silent node is due down 3 heartbeat periods after its host crashed', () => {
    const s = stateOf([...cluster(), clock(0, 2000), crashed('w1')]);
    expect(downDeadline(s, tget(s.nodes, W1)!)).toBe(2000 + 15_000);
    expect(downDeadline(s, tget(s.nodes, M2)!)).toBeNull(); // alive: not watched
    expect(livenessController.nextDeadline!(s)).toBe(17_000);
  });

  it('the clock reaching the deadline marks it down with "heartbeat failure"; not a millisecond before', () => {
    const base = [...cluster(), crashed('w1')];
    expect(react([...base, clock(0, 14_999)])).toEqual([]);
    expect(react([...base, clock(0, 15_000)])).toEqual([status(W1, 'ready', 'down', 'heartbeat failure')]);
  });

  it('a down node whose host boots is ready again at once', () => {
    expect(react([...cluster(), crashed('w1'), status(W1, 'ready', 'down'), booted('w1')])).toEqual([status(W1, 'down', 'ready')]);
    expect(react([...cluster(), crashed('w1'), booted('w1')])).toEqual([]); // never marked down: nothing to do
  });

  it('a new leader: silent ready nodes become unknown, live non-ready nodes re-register', () => {
    const events: EngineEvent[] = [
      ...cluster(), crashed('w1'), status(W1, 'ready', 'down'), booted('w1'), crashed('m1'),
      { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }, clock(0, 12_000),
      { type: 'RaftLeaderElected', nodeId: M3, term: 2 },
    ];
    expect(react(events)).toEqual([status(M1, 'ready', 'unknown', UNKNOWN_MSG), status(W1, 'down', 'ready')]);
  });

  it('an unknown node gets 6 periods from the leader change, then "heartbeat failure for node in \\"unknown\\" state"', () => {
    const base: EngineEvent[] = [
      ...cluster(), crashed('m1'), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' }, clock(0, 12_000),
      { type: 'RaftLeaderElected', nodeId: M2, term: 2 }, status(M1, 'ready', 'unknown', UNKNOWN_MSG),
    ];
    const s = stateOf(base);
    expect(downDeadline(s, tget(s.nodes, M1)!)).toBe(12_000 + 30_000);
    expect(react([...base, clock(12_000, 41_999)])).toEqual([]);
    expect(react([...base, clock(12_000, 42_000)])).toEqual([status(M1, 'unknown', 'down', 'heartbeat failure for node in "unknown" state')]);
  });

  it('without a leader there is no dispatcher: nothing is marked, no deadline is pending', () => {
    const events = [...cluster(), crashed('m1'), crashed('w1'), { type: 'RaftLeaderLost', nodeId: M1, term: 1, reason: 'leader down' } as EngineEvent];
    expect(react([...events, clock(0, 60_000)])).toEqual([]);
    expect(livenessController.nextDeadline!(stateOf(events))).toBeNull();
  });

  it('the heartbeat period comes from the swarm (--dispatcher-heartbeat)', () => {
    const events = cluster().map((e) => (e.type === 'SwarmInitialized' ? { ...e, heartbeatPeriodMs: 2000 } : e));
    const s = stateOf([...events, crashed('w1')]);
    expect(downDeadline(s, tget(s.nodes, W1)!)).toBe(6000);
  });
});

describe('liveness through the reactor', () => {
  it('a crashed worker is Down 15 s (5 s × 3) later in virtual time, and Ready again after host boot', () => {
    const t = TestEngine.cluster(['m1'], ['w1', 'w2']);
    t.advance(3000);
    t.crash('w1');
    t.advance(14_999);
    expect(t.node('w1').state).toBe('ready');
    const mark = t.lastSeq;
    t.advance(10_000);
    const down = t.since(mark, 'NodeStatusChanged');
    expect(down.map((r) => [r.atMs, r.event])).toEqual([[18_000, status(t.node('w1').id, 'ready', 'down', 'heartbeat failure')]]);
    expect(t.node('w1')).toMatchObject({ state: 'down', message: 'heartbeat failure' });
    expect(t.node('w2').state).toBe('ready');

    expect(t.boot('w1')).toEqual([booted('w1'), status(t.node('w1').id, 'down', 'ready')]);
    expect(t.node('w1')).toMatchObject({ state: 'ready', message: '' });
  });

  it('one advance stops at every deadline: two crashes 4 s apart go down 4 s apart', () => {
    const t = TestEngine.cluster(['m1'], ['w1', 'w2']);
    t.crash('w1');
    t.advance(4000);
    t.crash('w2');
    const mark = t.lastSeq;
    const batch = t.advance(60_000);
    expect(batch.map((e) => e.type)).toEqual(['ClockAdvanced', 'NodeStatusChanged', 'ClockAdvanced', 'NodeStatusChanged', 'ClockAdvanced']);
    expect(t.since(mark, 'NodeStatusChanged').map((r) => r.atMs)).toEqual([15_000, 19_000]);
    expect(t.state.sim.nowMs).toBe(64_000);
  });

  it('leader crash: the others stay Ready, the old leader is Unknown at the election, Down 6 periods after it', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    const sched = t.crash('m1').find((e) => e.type === 'RaftElectionScheduled') as Extract<EngineEvent, { type: 'RaftElectionScheduled' }>;
    const m1 = t.node('m1').id;
    const mark = t.lastSeq;
    t.advance(sched.dueMs + 29_999);
    expect(t.since(mark, 'NodeStatusChanged').map((r) => [r.atMs, r.event])).toEqual([[sched.dueMs, status(m1, 'ready', 'unknown', UNKNOWN_MSG)]]);
    expect(tget(t.state.nodes, m1)!.state).toBe('unknown');
    for (const h of ['m2', 'm3', 'w1']) expect(t.node(h).state).toBe('ready');
    t.advance(1);
    expect(tget(t.state.nodes, m1)).toMatchObject({ state: 'down', message: 'heartbeat failure for node in "unknown" state' });
    // m1 comes back: it re-registers with the new leader at once.
    t.boot('m1');
    expect(t.node('m1').state).toBe('ready');
  });

  it('without quorum nothing is marked Down, however long the silence; a new leader picks it up', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.crash('m1');
    t.crash('m2');
    t.crash('w1');
    t.advance(10 * 60_000);
    expect(t.node('w1').state).toBe('ready');
    t.boot('m2');
    const mark = t.lastSeq;
    t.advance(60_000);
    const changes = t.since(mark, 'NodeStatusChanged').map((r) => r.event as Extract<EngineEvent, { type: 'NodeStatusChanged' }>);
    // At the election both silent nodes turn unknown; 30 s later both are down (in node ID order).
    const named = changes.map((e) => `${tget(t.state.nodes, e.nodeId)!.hostname} ${e.from}→${e.to}`);
    expect(named.slice(0, 2).sort()).toEqual(['m1 ready→unknown', 'w1 ready→unknown']);
    expect(named.slice(2).sort()).toEqual(['m1 unknown→down', 'w1 unknown→down']);
  });
});
