/** Identifiers in Docker's formats, drawn from the seeded PRNG. */
import { createHash } from 'node:crypto';
import type { Prng } from './prng.js';

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A swarmkit object ID: 25 lower-case base-36 characters (identity/randomid.go). */
export function swarmId(rng: Prng): string {
  let s = '';
  for (let i = 0; i < 25; i++) s += B36[rng.int(36)];
  return s;
}

/** A local object ID (container, local network): 64 hex characters. */
export function localId(rng: Prng): string {
  return rng.hex(32);
}

/** Base-36 rendering of a hex big integer, left-padded with 0 to `width` (ca/config.go). */
export function hexToBase36(hex: string, width: number): string {
  return BigInt('0x' + hex).toString(36).padStart(width, '0');
}

/** A join token: SWMTKN-1-<CA digest in base 36, 50 chars>-<secret, 25 chars>. */
export function joinToken(caDigestHex: string, secret: string): string {
  return `SWMTKN-1-${hexToBase36(caDigestHex, 50)}-${secret}`;
}

/** Parsed join token, or a reason it does not parse. */
export function parseJoinToken(token: string): { digest36: string; secret: string } | null {
  const parts = token.split('-');
  if (parts.length !== 4 || parts[0] !== 'SWMTKN' || parts[1] !== '1') return null;
  if (parts[2]!.length !== 50 || parts[3]!.length !== 25) return null;
  return { digest36: parts[2]!, secret: parts[3]! };
}

/** A token secret: 16 random bytes in base 36, padded to 25 characters. */
export function tokenSecret(rng: Prng): string {
  return hexToBase36(rng.hex(16), 25);
}

/** Deterministic SHA-256 hex of a string (used for the simulated root CA certificate's digest). */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
