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

/**
 * A secret or config as dockerd looks it up (daemon/cluster/helpers.go getSecret, getConfig): its full
 * ID, its name, then a unique ID prefix.
 */
export function resolveObject<T extends { id: string; name: string }>(kind: 'secret' | 'config', items: T[], ref: string): T {
  const exact = items.find((x) => x.id === ref) ?? items.find((x) => x.name === ref);
  if (exact) return exact;
  const p = items.filter((x) => x.id.startsWith(ref));
  if (p.length === 0) daemon(`${kind} ${ref} not found`);
  if (p.length > 1) daemon(`${kind} ${ref} is ambiguous (${p.length} matches found)`);
  return p[0]!;
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
  const sec = resolveObject('secret', tvalues(s.secrets), ref);
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
  const c = resolveObject('config', tvalues(s.configs), ref);
  const users = usersOf(s, 'configs', c.id);
  if (users.length) rpc('InvalidArgument', `config '${c.name}' is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`);
  return [{ type: 'ConfigRemoved', configId: c.id }];
}

export { reject };
