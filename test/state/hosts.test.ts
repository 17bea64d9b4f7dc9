/** The hosts and sim slices: given events, when one more, then the state (or a broken invariant). */
import { describe, expect, it } from 'vitest';
import { evolve } from '../../src/state/index.js';
import { stateHash } from '../../src/state/hash.js';
import { tget } from '../../src/state/table.js';
import { booted, clock, cluster, crashed, given, hostAdded, logInitialized, M1, stateOf } from '../helpers/events.js';

describe('hosts reducer', () => {
  it('HostAdded records the machine, up, outside the swarm; the first host becomes the default target', () => {
    given(logInitialized()).when(hostAdded('manager1', '192.168.99.100'), hostAdded('worker1', '192.168.99.101')).then((s) => {
      expect(tget(s.hosts, 'manager1')).toEqual({
        name: 'manager1', ip: '192.168.99.100', nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64',
        labels: {}, engineVersion: '28.2.2', up: true, changedAtMs: 0, nodeId: null, nextIfIndex: 2, ruleSeq: 0, networks: [],
      });
      expect(s.hosts.n).toBe(2);
      expect(s.sim.firstHost).toBe('manager1');
    });
  });

  it('a host name is added only once', () => {
    given(logInitialized(), hostAdded('m1', '10.0.0.1')).when(hostAdded('m1', '10.0.0.9')).violates('invariant violated: host m1 is new');
  });

  it('HostCrashed takes the machine down at the current virtual time; HostBooted brings it back', () => {
    given(logInitialized(), hostAdded('m1', '10.0.0.1'), clock(0, 4000)).when(crashed('m1')).then((s, before) => {
      expect(tget(s.hosts, 'm1')).toMatchObject({ up: false, changedAtMs: 4000 });
      expect(tget(before.hosts, 'm1')!.up).toBe(true); // the previous state is never mutated
    });
    given(logInitialized(), hostAdded('m1', '10.0.0.1'), crashed('m1'), clock(0, 9000)).when(booted('m1')).then((s) => {
      expect(tget(s.hosts, 'm1')).toMatchObject({ up: true, changedAtMs: 9000 });
    });
  });

  it('a down host cannot crash, an up host cannot boot, an unknown host cannot do either', () => {
    given(logInitialized(), hostAdded('m1', '10.0.0.1'), crashed('m1')).when(crashed('m1')).violates('host m1 was up');
    given(logInitialized(), hostAdded('m1', '10.0.0.1')).when(booted('m1')).violates('host m1 was down');
    given(logInitialized()).when(crashed('ghost')).violates('host ghost exists');
  });

  it('joining and leaving the swarm set and clear the host\'s node', () => {
    const events = cluster();
    given(...events).when().then((s) => expect(tget(s.hosts, 'm1')!.nodeId).toBe(M1));
    given(...events).when({ type: 'NodeLeft', nodeId: M1, host: 'm1' }).then((s) => expect(tget(s.hosts, 'm1')!.nodeId).toBeNull());
  });
});

describe('sim reducer', () => {
  it('LogInitialized fixes the seed and the epoch; ClockAdvanced moves virtual time forward only', () => {
    given().when(logInitialized(42)).then((s) => {
      expect(s.sim).toMatchObject({ seed: 42, epochMs: Date.UTC(2026, 0, 1), nowMs: 0, engineVersion: '28.2.2' });
    });
    given(logInitialized()).when(clock(0, 1500), clock(1500, 1500)).then((s) => expect(s.sim.nowMs).toBe(1500));
    given(logInitialized(), clock(0, 1500)).when(clock(1500, 1000)).violates('clock moves forward from 1500');
    given(logInitialized(), clock(0, 1500)).when(clock(0, 3000)).violates('clock moves forward from 1500');
  });
});

describe('reducers are pure', () => {
  it('the same events give equal states and hashes; evolve never mutates its input', () => {
    const a = stateOf(cluster());
    const b = stateOf(cluster());
    expect(stateHash(a)).toBe(stateHash(b));
    const frozen = JSON.stringify(a);
    const c = evolve(a, crashed('w1'));
    expect(JSON.stringify(a)).toBe(frozen);
    expect(stateHash(c)).not.toBe(stateHash(a));
  });
});
