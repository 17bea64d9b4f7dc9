/** Slice: swarm nodes as the managers' Raft store records them. */
import type { EngineEvent, NodeState } from '../../events/index.js';
import { invariant } from './invariant.js';
import { tdel, tget, thas, tset } from './table.js';
import type { State, SwarmNode } from './types.js';

const LEGAL: Record<NodeState, readonly NodeState[]> = {
  unknown: ['ready', 'down', 'disconnected'],
  ready: ['down', 'unknown', 'disconnected'],
  down: ['ready', 'unknown'],
  disconnected: ['ready', 'down', 'unknown'],
};

export function nodesReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'SwarmInitialized':
      add(s, e.nodeId, e.host, 'manager', e.availability, e.advertiseAddr, e.dataPathAddr, `${e.advertiseAddr}:${e.listenPort}`);
      return;
    case 'NodeJoined':
      add(s, e.nodeId, e.host, e.role, e.availability, e.advertiseAddr, e.dataPathAddr,
        e.role === 'manager' ? `${e.advertiseAddr}:2377` : null);
      return;
    case 'NodeLeft': {
      const n = node(s, e.nodeId);
      n.state = 'down';
      n.message = 'node left the swarm';
      touch(s, n);
      return;
    }
    case 'NodeRemoved':
      tdel(s.nodes, e.nodeId);
      return;
    case 'NodeStatusChanged': {
      const n = node(s, e.nodeId);
      invariant(n.state === e.from && LEGAL[e.from].includes(e.to), `node ${e.nodeId} ${n.state}: ${e.from} → ${e.to}`);
      n.state = e.to;
      n.message = e.message;
      touch(s, n);
      return;
    }
    case 'NodeAvailabilityChanged': {
      const n = node(s, e.nodeId);
      invariant(n.availability === e.from, `availability of ${e.nodeId} was ${e.from}`);
      n.availability = e.to;
      touch(s, n);
      return;
    }
    case 'NodeLabelsChanged': {
      const n = node(s, e.nodeId);
      for (const k of e.removed) delete n.labels[k];
      Object.assign(n.labels, e.added);
      touch(s, n);
      return;
    }
    case 'NodeRoleChanged': {
      const n = node(s, e.nodeId);
      invariant(n.role === e.from, `role of ${e.nodeId} was ${e.from}`);
      n.role = e.to;
      n.managerAddr = e.to === 'manager' ? `${n.addr}:2377` : null;
      touch(s, n);
      return;
    }
    default:
      return;
  }
}

function add(s: State, id: string, hostname: string, role: SwarmNode['role'], availability: SwarmNode['availability'],
  addr: string, dataPathAddr: string, managerAddr: string | null): void {
  invariant(!thas(s.nodes, id), `node ${id} is new`);
  tset<SwarmNode>(s.nodes, id, {
    id, hostname, role, availability, labels: {}, state: 'ready', message: '', addr, dataPathAddr, managerAddr, attachments: [],
    createdAtMs: s.sim.nowMs, updatedAtMs: s.sim.nowMs, version: s.swarm!.raftIndex,
  });
}

function node(s: State, id: string): SwarmNode {
  const n = tget(s.nodes, id);
  invariant(n, `node ${id} exists`);
  return n;
}

function touch(s: State, n: SwarmNode): void {
  n.updatedAtMs = s.sim.nowMs;
  n.version = s.swarm ? s.swarm.raftIndex : n.version;
}
