/** Slice: hosts (simulated Docker machines). */
import type { EngineEvent } from '../../events/index.js';
import { invariant } from './invariant.js';
import { tget, thas, tset } from './table.js';
import type { Host, State } from './types.js';

export function hostsReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'HostAdded':
      invariant(!thas(s.hosts, e.name), `host ${e.name} is new`);
      tset<Host>(s.hosts, e.name, {
        name: e.name, ip: e.ip, nanoCpus: e.nanoCpus, memoryBytes: e.memoryBytes, os: e.os, arch: e.arch,
        labels: e.labels, engineVersion: e.engineVersion, up: true, changedAtMs: s.sim.nowMs, nodeId: null, nextIfIndex: 2, ruleSeq: 0, networks: [],
      });
      return;
    case 'HostCrashed': {
      const h = host(s, e.name);
      invariant(h.up, `host ${e.name} was up`);
      h.up = false;
      h.changedAtMs = s.sim.nowMs;
      return;
    }
    case 'HostBooted': {
      const h = host(s, e.name);
      invariant(!h.up, `host ${e.name} was down`);
      h.up = true;
      h.changedAtMs = s.sim.nowMs;
      return;
    }
    case 'SwarmInitialized':
      host(s, e.host).nodeId = e.nodeId;
      return;
    case 'NodeJoined':
      host(s, e.host).nodeId = e.nodeId;
      return;
    case 'NodeLeft':
      host(s, e.host).nodeId = null;
      return;
    case 'LinkCreated': {
      const h = host(s, e.host);
      if (e.ifIndex >= h.nextIfIndex) h.nextIfIndex = e.ifIndex + 1;
      return;
    }
    case 'VethCreated': {
      // As two LinkCreated would: the next ifindex moves past both ends.
      const h = host(s, e.host);
      for (const end of [e.outer, e.inner]) if (end.ifIndex >= h.nextIfIndex) h.nextIfIndex = end.ifIndex + 1;
      return;
    }
    case 'IptablesRuleAdded':
      host(s, e.host).ruleSeq++;
      return;
    case 'NetworkCreated':
      if (e.host) host(s, e.host).networks.push(e.networkId);
      return;
    case 'NetworkRemoved': {
      const n = tget(s.networks, e.networkId);
      if (n?.host) {
        const h = host(s, n.host);
        h.networks = h.networks.filter((id) => id !== e.networkId);
      }
      return;
    }
    default:
      return;
  }
}

function host(s: State, name: string): Host {
  const h = tget(s.hosts, name);
  invariant(h, `host ${name} exists`);
  return h;
}
