/** Binary encodings of the log: keys that sort by (kind, branch, seq), msgpackr values, the hash chain. */
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import type { EngineEvent, LoggedEvent } from '../../events/index.js';

// Plain maps, no shared structures: every value decodes on its own, forever.
export const packr = new Packr({ useRecords: false, variableMapSize: true, mapsAsObjects: true });

export const KIND_EVENT = 0x65; // 'e'
export const KIND_COMMAND = 0x63; // 'c'
export const KIND_SNAPSHOT = 0x73; // 's'
/** A snapshot's (seq, state hash) alone, so that replay checks need not decode the states. */
export const KIND_SNAPSHOT_HASH = 0x68; // 'h'
export const KIND_META = 0x6d; // 'm'

/** [kind:1][branch:2][seq:6], big-endian so that keys sort numerically. */
export function seqKey(kind: number, branch: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = kind;
  b.writeUInt16BE(branch, 1);
  b.writeUIntBE(seq, 3, 6);
  return b;
}

export function seqOfKey(key: Uint8Array): number {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readUIntBE(3, 6);
}

export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([KIND_META]), Buffer.from(name, 'utf8')]);
}

export const GENESIS_HASH = '0'.repeat(64);

/** Encodes an event record: 32-byte hash ‖ msgpack body, hash = sha256(prev ‖ body). */
export function encodeEvent(seq: number, atMs: number, batch: number, event: EngineEvent, prevHash: string): { bytes: Buffer; hash: string } {
  const body = packr.pack({ seq, atMs, batch, prevHash, event });
  const digest = createHash('sha256').update(prevHash, 'hex').update(body).digest();
  return { bytes: Buffer.concat([digest, body]), hash: digest.toString('hex') };
}

/** Decodes a record without checking it. */
export function decodeEvent(bytes: Uint8Array): LoggedEvent {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body = packr.unpack(buf.subarray(32)) as Omit<LoggedEvent, 'hash'>;
  return { ...body, hash: buf.subarray(0, 32).toString('hex') };
}

/** Checks one record against the hash chain: null when intact, else what is wrong. */
export function checkEvent(bytes: Uint8Array, expectedPrev: string): { ok: true; record: LoggedEvent } | { ok: false; reason: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33) return { ok: false, reason: 'record is truncated' };
  const body = buf.subarray(32);
  let record: LoggedEvent;
  try {
    record = decodeEvent(buf);
  } catch {
    return { ok: false, reason: 'record does not decode' };
  }
  if (record.prevHash !== expectedPrev) return { ok: false, reason: `it links to ${record.prevHash.slice(0, 12)}…, not to the previous event ${expectedPrev.slice(0, 12)}…` };
  const digest = createHash('sha256').update(expectedPrev, 'hex').update(body).digest('hex');
  if (digest !== record.hash) return { ok: false, reason: `its content hashes to ${digest.slice(0, 12)}…, the chain recorded ${record.hash.slice(0, 12)}…` };
  return { ok: true, record };
}
