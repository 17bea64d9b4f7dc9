/** Binary encodings of the log: keys that sort by (kind, branch, seq), msgpackr values, the hash chain. */
import * as crypto from 'node:crypto';
import { Packr, RESERVE_START_SPACE } from 'msgpackr';
import type { EngineEvent, LoggedEvent } from '../../events/index.js';

// Plain maps, no shared structures: every value decodes on its own, forever.
export const packr = new Packr({ useRecords: false, variableMapSize: true, mapsAsObjects: true });

/** Key kinds: an event record. */
export const KIND_EVENT = 0x65; // 'e'
/** A snapshot record (a state's manifest). */
export const KIND_SNAPSHOT = 0x73; // 's'
/** A snapshot's state hash alone, so that replay checks need not decode snapshots. */
export const KIND_SNAPSHOT_HASH = 0x68; // 'h'
/** A named metadata record (meta, head). */
export const KIND_META = 0x6d; // 'm'
/** A part of stored states (a Table subtree), keyed by the sha256 of its bytes. */
export const KIND_PART = 0x70; // 'p'

/** [kind:1][branch:2][seq:6], big-endian so that keys sort numerically. */
export function seqKey(kind: number, branch: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = kind;
  b.writeUInt16BE(branch, 1);
  b.writeUIntBE(seq, 3, 6);
  return b;
}

/** The seq of a key made by seqKey. */
export function seqOfKey(key: Uint8Array): number {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readUIntBE(3, 6);
}

/** The key of a state part: [kind:1][sha256 of its bytes:32]. */
export function partKey(hash: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([KIND_PART]), hash]);
}

/** sha256 as 32 bytes. */
export function sha256Bytes(data: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

/** The key of a named metadata record. */
export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([KIND_META]), Buffer.from(name, 'utf8')]);
}

/** The hash event 1 links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** sha256, hex. The one-shot `crypto.hash` (Node ≥ 20.12) is ~3× faster on small inputs than createHash. */
export const sha256Hex: (data: string | Uint8Array) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/*
 * An event record:
 *   [hash:32][prev:32][seq:6][batch:6][atMs:8 (float64)][value (msgpack)]
 * where the value is the event itself (a map), or, in a batch's first record, the array [event, command]:
 * the command line behind the batch rides with its first event, one put per event and one msgpack value
 * per record. hash = sha256(prev ‖ numbers ‖ value): the chained bytes are the record from byte 32 to its
 * end, one contiguous range to write and to check, so a tampered command line breaks the chain as a
 * tampered event does. The numbers sit in a fixed binary header because packing them as map keys and
 * values would cost about as much as packing the event itself; replay decodes the value alone.
 */
const HASH_AT = 0;
const PREV_AT = 32;
const SEQ_AT = 64;
const BATCH_AT = 70;
const AT_MS_AT = 76;
const VALUE_AT = 84;

/** The command line behind a batch, as the batch's first event record carries it. */
export interface BatchCommand {
  count: number;
  argv: string[];
  on: string | null;
}

/** sha256 of `data` written as 32 raw bytes into `out` at `at` (no hex on the append path). */
const sha256Into: (data: Uint8Array, out: Buffer, at: number) => void =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data, out, at) => void out.write(crypto.hash('sha256', data, 'binary'), at, 32, 'latin1')
    : (data, out, at) => void crypto.createHash('sha256').update(data).digest().copy(out, at);

/**
 * Encodes an event record (with its batch's command if it is the first), chained to `prev`: the
 * previous record itself, or a hash as 32 bytes (only the first 32 bytes are read).
 */
export function encodeEvent(seq: number, atMs: number, batch: number, event: EngineEvent, prev: Uint8Array, command?: BatchCommand): Buffer {
  // msgpackr packs the value behind VALUE_AT reserved bytes of its own buffer: one pack, no copy.
  const bytes = packr.pack(command ? [event, command] : event, RESERVE_START_SPACE | VALUE_AT);
  asBuffer(prev).copy(bytes, PREV_AT, 0, 32);
  bytes.writeUIntBE(seq, SEQ_AT, 6);
  bytes.writeUIntBE(batch, BATCH_AT, 6);
  bytes.writeDoubleBE(atMs, AT_MS_AT);
  // A plain view (cheaper to make than a Buffer's subarray) of the chained bytes.
  sha256Into(new Uint8Array(bytes.buffer, bytes.byteOffset + PREV_AT, bytes.length - PREV_AT), bytes, HASH_AT);
  return bytes;
}

/** The seq in a record's header (big-endian, 6 bytes), read from the bytes as stored. */
export function recordSeq(bytes: Uint8Array): number {
  let n = 0;
  for (let i = SEQ_AT; i < SEQ_AT + 6; i++) n = n * 256 + bytes[i]!;
  return n;
}

/** The hash of an encoded record, hex. */
export function recordHash(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex', HASH_AT, PREV_AT);
}

/** A hash (hex) as the 32 bytes encodeEvent chains to. */
export function hashBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** An event just encoded, as the log would decode it; its hashes are turned into hex only if asked for. */
export class EncodedEvent implements LoggedEvent {
  constructor(readonly seq: number, readonly atMs: number, readonly batch: number, readonly event: EngineEvent, private readonly bytes: Buffer) {}
  get hash(): string {
    return this.bytes.toString('hex', HASH_AT, PREV_AT);
  }
  get prevHash(): string {
    return this.bytes.toString('hex', PREV_AT, SEQ_AT);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A record's value: the event, with the batch's command if the record is a batch's first. */
function decodeValue(bytes: Uint8Array): [EngineEvent, BatchCommand | undefined] {
  // Unpacked in place from VALUE_AT: no Buffer or subarray made per record.
  const v = packr.unpack(bytes, { start: VALUE_AT }) as EngineEvent | [EngineEvent, BatchCommand];
  return Array.isArray(v) ? [v[0], v[1]] : [v, undefined];
}

/** Decodes a record without checking it. */
export function decodeEvent(bytes: Uint8Array): LoggedEvent {
  const buf = asBuffer(bytes);
  return {
    seq: buf.readUIntBE(SEQ_AT, 6), atMs: buf.readDoubleBE(AT_MS_AT), batch: buf.readUIntBE(BATCH_AT, 6), event: decodeValue(buf)[0],
    prevHash: buf.toString('hex', PREV_AT, SEQ_AT), hash: buf.toString('hex', HASH_AT, PREV_AT),
  };
}

/** The command carried by a batch's first event record, if any. */
export function decodeCommand(bytes: Uint8Array): BatchCommand | undefined {
  return decodeValue(bytes)[1];
}

/** Decodes only the event of a record (replay's fast path: no hashes, no hex). */
export function decodeEventOnly(bytes: Uint8Array): EngineEvent {
  const v = packr.unpack(bytes, { start: VALUE_AT }) as EngineEvent | [EngineEvent, BatchCommand];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks one record against the hash chain. */
export function checkEvent(bytes: Uint8Array, expectedPrev: string): { ok: true; record: LoggedEvent } | { ok: false; reason: string } {
  const buf = asBuffer(bytes);
  if (buf.length <= VALUE_AT) return { ok: false, reason: 'record is truncated' };
  let record: LoggedEvent;
  try {
    record = decodeEvent(buf);
  } catch {
    return { ok: false, reason: 'record does not decode' };
  }
  if (record.prevHash !== expectedPrev) return { ok: false, reason: `it links to ${record.prevHash.slice(0, 12)}…, not to the previous event ${expectedPrev.slice(0, 12)}…` };
  const digest = sha256Hex(buf.subarray(PREV_AT));
  if (digest !== record.hash) return { ok: false, reason: `its content hashes to ${digest.slice(0, 12)}…, the chain recorded ${record.hash.slice(0, 12)}…` };
  return { ok: true, record };
}
