/** Secrets and configs (swarmkit controlapi), sealed at rest. */
import type { EngineEvent } from '../../events/index.js';
import { swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { seal } from './sealing.js';
import { tvalues } from '../state/table.js';
import type { State } from '../state/types.js';
import { objectNameError } from './parse.js';
import { daemon, reject, rpc } from './rejection.js';

export { seal, unseal } from './sealing.js';

/** swarmkit api/validation MaxSecretSize (500 KiB) and controlapi MaxConfigSize (1000 KiB): data must be shorter. */
export const MAX_SECRET_BYTES = 500 * 1024;
export const MAX_CONFIG_BYTES = 1000 * 1024;

export function findByRef<T extends { id: string; name: string }>(items: T[], ref: string): T | undefined {
  return items.find((x) => x.id === ref) ?? items.find((x) => x.name === ref) ?? (() => {
    const p = items.filter((x) => x.id.startsWith(ref));
    return p.length === 1 ? p[0] : undefined;
  })();
}

export function decideSecretCreate(s: State, name: string, data: Buffer, labels: Record<string, string>, rng: Prng): EngineEvent[] {
  const ne = objectNameError(name);
  if (ne) rpc('InvalidArgument', ne);
  if (data.length === 0 || data.length >= MAX_SECRET_BYTES) rpc('InvalidArgument', `secret data must be larger than 0 and less than ${MAX_SECRET_BYTES} bytes`);
  if (tvalues(s.secrets).some((x) => x.name === name)) rpc('AlreadyExists', `secret ${name} already exists`);
  return [{ type: 'SecretCreated', secretId: swarmId(rng), name, labels, sealed: seal(s.swarm!, data, rng), size: data.length }];
}

function usersOf(s: State, kind: 'secrets' | 'configs', id: string): string[] {
  return tvalues(s.services).filter((svc) => svc.spec[kind].some((r) => r.id === id)).map((svc) => svc.spec.name).sort();
}

export function decideSecretRm(s: State, ref: string): EngineEvent[] {
  const sec = findByRef(tvalues(s.secrets), ref);
  // dockerd resolves the name first (daemon/cluster/helpers.go getSecret): `secret x not found`.
  if (!sec) daemon(`secret ${ref} not found`);
  const users = usersOf(s, 'secrets', sec.id);
  if (users.length) rpc('InvalidArgument', `secret '${sec.name}' is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`);
  return [{ type: 'SecretRemoved', secretId: sec.id }];
}

export function decideConfigCreate(s: State, name: string, data: Buffer, labels: Record<string, string>, rng: Prng): EngineEvent[] {
  const ne = objectNameError(name);
  if (ne) rpc('InvalidArgument', ne);
  if (data.length === 0 || data.length >= MAX_CONFIG_BYTES) rpc('InvalidArgument', `config data must be larger than 0 and less than ${MAX_CONFIG_BYTES} bytes`);
  if (tvalues(s.configs).some((x) => x.name === name)) rpc('AlreadyExists', `config ${name} already exists`);
  return [{ type: 'ConfigCreated', configId: swarmId(rng), name, labels, data: data.toString('base64') }];
}

export function decideConfigRm(s: State, ref: string): EngineEvent[] {
  const c = findByRef(tvalues(s.configs), ref);
  if (!c) daemon(`config ${ref} not found`);
  const users = usersOf(s, 'configs', c.id);
  if (users.length) rpc('InvalidArgument', `config '${c.name}' is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`);
  return [{ type: 'ConfigRemoved', configId: c.id }];
}

export { reject };
