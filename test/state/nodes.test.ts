/** The nodes slice: swarm nodes as the Raft store records them, and the transitions it accepts. */
import { describe, expect, it } from 'vitest';
import { tget } from '../../src/state/table.js';
import { clock, cluster, given, M1, M2, nodeJoined, status, W1 } from '../helpers/events.js';

describe('nodes reducer', () => {
  it('SwarmInitialized makes the first node a ready, active manager listening on :2377', () => {
    given(...cluster()).when().then((s) => {
      expect(tget(s.nodes, M1)).toEqual({
        id: M1, hostname: 'm1', role: 'manager', availability: 'active', labels: {}, state: 'ready', message: '',
        addr: '10.0.0.1', dataPathAddr: '10.0.0.1', managerAddr: '10.0.0.1:2377', attachments: [], createdAtMs: 0, updatedAtMs: 0, version: 1,
      });
    });
  });

  it('NodeJoined adds a worker without a manager address, versioned at the store index of its creation', () => {
    given(...cluster()).when().then((s) => {
      const w = tget(s.nodes, W1)!;
      expect(w).toMatchObject({ hostname: 'w1', role: 'worker', state: 'ready', managerAddr: null });
      // init is index 1; m2, m3, w1 joined at 2, 3, 4 (each creation bumps the index after the node is written).
      expect(w.version).toBe(4);
      expect(s.nodes.n).toBe(4);
    });
  });

  it('a node ID is used once', () => {
    given(...cluster()).when(nodeJoined('w1', W1, '10.0.0.4')).violates(`node ${W1} is new`);
  });

  it('NodeStatusChanged follows the dispatcher\'s state machine and keeps its message', () => {
    given(...cluster(), clock(0, 15000)).when(status(W1, 'ready', 'down', 'heartbeat failure')).then((s, before) => {
      expect(tget(s.nodes, W1)).toMatchObject({ state: 'down', message: 'heartbeat failure', updatedAtMs: 15000 });
      expect(s.swarm!.raftIndex).toBe(before.swarm!.raftIndex + 1);
      expect(tget(s.nodes, W1)!.version).toBe(s.swarm!.raftIndex);
    });
    given(...cluster()).when(status(W1, 'ready', 'unknown'), status(W1, 'unknown', 'down'), status(W1, 'down', 'ready'))
      .then((s) => expect(tget(s.nodes, W1)!.state).toBe('ready'));
  });

  it('refuses a transition from a state the node is not in, or one the state machine lacks', () => {
    given(...cluster()).when(status(W1, 'down', 'ready')).violates(`node ${W1} ready: down → ready`);
    given(...cluster()).when(status(W1, 'ready', 'ready')).violates(`node ${W1} ready: ready → ready`);
    given(...cluster(), status(W1, 'ready', 'down')).when(status(W1, 'down', 'disconnected')).violates('down → disconnected');
    given(...cluster()).when(status('nosuchnode00000000000000x', 'ready', 'down')).violates('node nosuchnode00000000000000x exists');
  });

  it('availability and role changes must start from the recorded value', () => {
    given(...cluster()).when({ type: 'NodeAvailabilityChanged', nodeId: W1, from: 'active', to: 'drain' })
      .then((s) => expect(tget(s.nodes, W1)!.availability).toBe('drain'));
    given(...cluster()).when({ type: 'NodeAvailabilityChanged', nodeId: W1, from: 'pause', to: 'drain' })
      .violates(`availability of ${W1} was pause`);
    given(...cluster()).when({ type: 'NodeRoleChanged', nodeId: W1, from: 'manager', to: 'worker' })
      .violates(`role of ${W1} was manager`);
  });

  it('promotion gives the node a manager address, demotion takes it away', () => {
    given(...cluster()).when({ type: 'NodeRoleChanged', nodeId: W1, from: 'worker', to: 'manager' })
      .then((s) => expect(tget(s.nodes, W1)).toMatchObject({ role: 'manager', managerAddr: '10.0.0.4:2377' }));
    given(...cluster()).when({ type: 'NodeRoleChanged', nodeId: M2, from: 'manager', to: 'worker' })
      .then((s) => expect(tget(s.nodes, M2)).toMatchObject({ role: 'worker', managerAddr: null }));
  });

  it('labels: added keys are set (or overwritten), removed keys deleted', () => {
    given(...cluster(), { type: 'NodeLabelsChanged', nodeId: W1, added: { zone: 'a', disk: 'ssd' }, removed: [] })
      .when({ type: 'NodeLabelsChanged', nodeId: W1, added: { zone: 'b' }, removed: ['disk'] })
      .then((s) => expect(tget(s.nodes, W1)!.labels).toEqual({ zone: 'b' }));
  });

  it('NodeLeft: the node stays in the store, down, with Docker\'s message; NodeRemoved deletes it', () => {
    given(...cluster()).when({ type: 'NodeLeft', nodeId: W1, host: 'w1' }).then((s) => {
      expect(tget(s.nodes, W1)).toMatchObject({ state: 'down', message: 'node left the swarm' });
    });
    given(...cluster(), { type: 'NodeLeft', nodeId: W1, host: 'w1' }).when({ type: 'NodeRemoved', nodeId: W1 }).then((s) => {
      expect(tget(s.nodes, W1)).toBeUndefined();
      expect(s.nodes.n).toBe(3);
    });
  });
});
