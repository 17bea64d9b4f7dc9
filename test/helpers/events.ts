/** Event builders and a given/when/then DSL for the pure reducers: initialState() + events → state. */
import { expect } from 'vitest';
import { sealJoinSecret } from '../../src/commands/sealing.js';
import type { EngineEvent, NodeAvailability, NodeRole, NodeState } from '../../events/index.js';
import { evolve, evolveAll, initialState } from '../../src/state/index.js';
import { InvariantError } from '../../src/state/invariant.js';
import type { State } from '../../src/state/types.js';

export const M1 = 'm1node0000000000000000001';
export const M2 = 'm2node0000000000000000002';
export const M3 = 'm3node0000000000000000003';
export const W1 = 'w1node0000000000000000004';

export const logInitialized = (seed = 7): EngineEvent => ({ type: 'LogInitialized', seed, epochMs: Date.UTC(2026, 0, 1), engineVersion: '28.2.2' });

export const hostAdded = (name: string, ip: string): EngineEvent => ({
  type: 'HostAdded', name, ip, nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: '28.2.2',
});

export const swarmInitialized = (host: string, nodeId: string, ip: string): EngineEvent => ({
  type: 'SwarmInitialized', swarmId: 'swarm00000000000000000001', caDigest: 'ab'.repeat(32),
  workerTokenSealed: sealJoinSecret('swarm00000000000000000001', 'ab'.repeat(32), 'worker', 0, 'w'.repeat(25)),
  managerTokenSealed: sealJoinSecret('swarm00000000000000000001', 'ab'.repeat(32), 'manager', 0, 'm'.repeat(25)), nodeId, host, advertiseAddr: ip, dataPathAddr: ip,
  listenPort: 2377, availability: 'active', defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789,
  heartbeatPeriodMs: 5000, taskHistoryLimit: 5,
});

export const nodeJoined = (host: string, nodeId: string, ip: string, role: NodeRole = 'worker', availability: NodeAvailability = 'active'): EngineEvent => ({
  type: 'NodeJoined', nodeId, host, role, advertiseAddr: ip, dataPathAddr: ip, availability,
});

export const status = (nodeId: string, from: NodeState, to: NodeState, message = ''): EngineEvent => ({ type: 'NodeStatusChanged', nodeId, from, to, message });
export const crashed = (name: string): EngineEvent => ({ type: 'HostCrashed', name });
export const booted = (name: string): EngineEvent => ({ type: 'HostBooted', name });
export const clock = (fromMs: number, toMs: number): EngineEvent => ({ type: 'ClockAdvanced', fromMs, toMs });

/** Log, hosts m1 m2 m3 w1, a swarm initialised on m1 (leader), m2 m3 managers, w1 a worker. */
export function cluster(): EngineEvent[] {
  return [
    logInitialized(),
    hostAdded('m1', '10.0.0.1'), hostAdded('m2', '10.0.0.2'), hostAdded('m3', '10.0.0.3'), hostAdded('w1', '10.0.0.4'),
    swarmInitialized('m1', M1, '10.0.0.1'),
    nodeJoined('m2', M2, '10.0.0.2', 'manager'), nodeJoined('m3', M3, '10.0.0.3', 'manager'), nodeJoined('w1', W1, '10.0.0.4'),
  ];
}

export function stateOf(events: readonly EngineEvent[]): State {
  return evolveAll(initialState(), events);
}

/** given(events).when(event).then(state => …) / .rejects(/invariant/) */
export function given(...events: EngineEvent[]) {
  const before = stateOf(events);
  return {
    state: before,
    when(...more: EngineEvent[]) {
      const run = (): State => more.reduce((s, e) => evolve(s, e), before);
      return {
        then(check: (after: State, before: State) => void): void {
          check(run(), before);
        },
        /** The reducer refuses the transition: an InvariantError naming the broken invariant. */
        violates(message: string | RegExp): void {
          expect(run).toThrow(InvariantError);
          expect(run).toThrow(message);
        },
      };
    },
  };
}
