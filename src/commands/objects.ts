/** Secrets and configs (swarmkit controlapi), sealed at rest. */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { EngineEvent } from '../../events/index.js';
import { swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { tvalues } from '../state/table.js';
import type { State, Swarm } from '../state/types.js';
import { objectNameError } from './parse.js';
import { daemon, reject, rpc } from './rejection.js';

/**
 * The key secrets are sealed with. Like a swarm without autolock, whose raft key-encryption key sits
 * beside the raft data, it derives from the swarm's own identity: the log never holds a secret in clear,
 * but the log alone is enough to unseal it (as `docker exec … cat /run/secrets/x` must).
 */
function sealingKey(sw: Swarm): Buffer {
  return createHash('sha256').update(`swarm-engine secret KEK ${sw.id} ${sw.caDigest}`).digest();
}

export function seal(sw: Swarm, data: Buffer, rng: Prng): string {
  const iv = Buffer.from(rng.hex(12), 'hex');
  const c = createCipheriv('aes-256-gcm', sealingKey(sw), iv);
  const body = Buffer.concat([c.update(data), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

export function unseal(sw: Swarm, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', sealingKey(sw), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
}

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
