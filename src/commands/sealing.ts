/**
 * Sealing at rest: secret values and join-token secrets are stored (in events, hence in the log) only
 * encrypted, AES-256-GCM. Like a swarm without autolock, whose raft key-encryption key sits beside the
 * raft data, the key derives from the swarm's own identity: the log never holds a secret in clear, but
 * the log alone is enough to unseal it (as `docker exec … cat /run/secrets/x` and `docker swarm
 * join-token` must).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { NodeRole } from '../../events/index.js';
import type { Prng } from '../sim/prng.js';
import type { Swarm } from '../state/types.js';

/** The key-encryption key of the swarm `id` with root CA `caDigest`. */
function swarmKey(id: string, caDigest: string): Buffer {
  return createHash('sha256').update(`swarm-engine secret KEK ${id} ${caDigest}`).digest();
}

function sealWith(key: Buffer, iv: Buffer, data: Buffer): string {
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(data), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
}

/** Seals a secret's value (a fresh IV from the seeded PRNG). */
export function seal(sw: Swarm, data: Buffer, rng: Prng): string {
  return sealWith(swarmKey(sw.id, sw.caDigest), Buffer.from(rng.hex(12), 'hex'), data);
}

/**
 * Seals a join token's secret. The IV derives from the role and the raft index the token is issued at,
 * unique per key, so that sealing draws nothing from the PRNG (IDs stay what they were).
 */
export function sealJoinSecret(swarmId: string, caDigest: string, role: NodeRole, raftIndex: number, secret: string): string {
  const iv = createHash('sha256').update(`join token ${role} ${raftIndex}`).digest().subarray(0, 12);
  return sealWith(swarmKey(swarmId, caDigest), iv, Buffer.from(secret, 'utf8'));
}

/** The clear bytes of a sealed value. */
export function unseal(sw: Swarm, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', swarmKey(sw.id, sw.caDigest), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
}

/** The clear secret of the join token for `role`. */
export function joinSecret(sw: Swarm, role: NodeRole): string {
  return unseal(sw, role === 'worker' ? sw.workerTokenSealed : sw.managerTokenSealed).toString('utf8');
}

/** A command line as the log records it: a join token's secret part never reaches the log. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((a) => a.replace(/(SWMTKN-1-[0-9a-z]+-)[0-9a-z]+/gi, '$1<redacted>'));
}
