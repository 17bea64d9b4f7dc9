/** Slice: secrets, configs, local volumes and standalone containers. */
import type { EngineEvent } from '../../events/index.js';
import { invariant } from './invariant.js';
import { tdel, tget, tset } from './table.js';
import type { Config, Container, Secret, State, Volume } from './types.js';

export function objectsReducer(s: State, e: EngineEvent): void {
  const now = s.sim.nowMs;
  switch (e.type) {
    case 'SecretCreated':
      tset<Secret>(s.secrets, e.secretId, { id: e.secretId, name: e.name, labels: e.labels, sealed: e.sealed, size: e.size, createdAtMs: now, updatedAtMs: now, version: s.swarm!.raftIndex });
      return;
    case 'SecretRemoved':
      invariant(tget(s.secrets, e.secretId), `secret ${e.secretId} exists`);
      tdel(s.secrets, e.secretId);
      return;
    case 'ConfigCreated':
      tset<Config>(s.configs, e.configId, { id: e.configId, name: e.name, labels: e.labels, data: e.data, createdAtMs: now, updatedAtMs: now, version: s.swarm!.raftIndex });
      return;
    case 'ConfigRemoved':
      invariant(tget(s.configs, e.configId), `config ${e.configId} exists`);
      tdel(s.configs, e.configId);
      return;
    case 'VolumeCreated':
      tset<Volume>(s.volumes, `${e.host}/${e.name}`, { host: e.host, name: e.name, driver: e.driver, labels: e.labels, options: e.options, createdAtMs: now });
      return;
    case 'VolumeRemoved':
      tdel(s.volumes, `${e.host}/${e.name}`);
      return;
    case 'ContainerCreated':
      tset<Container>(s.containers, e.containerId, {
        id: e.containerId, host: e.host, name: e.name, image: e.image, command: e.command, env: e.env, labels: e.labels,
        mounts: e.mounts, networks: e.networks, links: e.links, state: 'created', exitCode: 0, createdAtMs: now, stateAtMs: now,
        ...(e.aliases ? { aliases: e.aliases } : {}),
      });
      return;
    case 'ContainerNetworksChanged': {
      const c = tget(s.containers, e.containerId);
      invariant(c, `container ${e.containerId} exists`);
      c.networks = e.networks;
      if (e.aliases) c.aliases = e.aliases;
      else delete c.aliases;
      return;
    }
    case 'ContainerStateChanged': {
      const c = tget(s.containers, e.containerId);
      invariant(c && c.state === e.from, `container ${e.containerId} was ${e.from}`);
      c.state = e.to;
      c.exitCode = e.exitCode;
      c.stateAtMs = now;
      return;
    }
    case 'ContainerRemoved':
      tdel(s.containers, e.containerId);
      return;
    default:
      return;
  }
}
