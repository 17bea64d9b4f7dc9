/** What the log keeps besides events: branches, HEAD, the command behind each batch, snapshots, HEAD's state. */

/** A timeline: its own events, after those it shares with its parent up to forkSeq. */
export interface Branch {
  id: number;
  name: string;
  parent: number | null;
  /** Events 1..forkSeq come from the parent's timeline. */
  forkSeq: number;
  tipSeq: number;
  tipHash: string;
  /** Hash of the derived state at tipSeq, recorded when the tip was written. */
  tipStateHash: string;
  lastSnapshotSeq: number;
}

/** Where HEAD stands. */
export interface Head {
  branch: number;
  /** null: at the branch's tip (new events move it); a number: rewound to just after that event. */
  at: number | null;
}

/** The log's metadata record. */
export interface Meta {
  branches: Branch[];
  head: Head;
}

/** The command line that produced an atomic batch. */
export interface CommandRecord {
  batch: number;
  count: number;
  argv: string[];
  on: string | null;
}

/**
 * A derived state as the log stores it: its slices in order, each Table slice split into its trie's
 * top-level subtrees ("parts"). The log stores each part once, under the hash of its bytes, so states
 * that share a part (most of a state, from one snapshot to the next) share its record and, in memory,
 * its decoded objects: a snapshot costs what changed since the last one, not the whole state.
 */
export interface StoredState {
  slices: Record<string, unknown>;
  /** The names of the slices stored as { n, parts }. */
  tables: string[];
}

/** A Table slice inside a StoredState: its count, its hash digest and its root's 16 subtrees (null where empty). */
export interface StoredTable {
  n: number;
  /** The table's digest in the state hash (see state/hash.ts), so that hashing need not decode it; '' if unknown. */
  digest: string;
  parts: (StoredPart | null)[];
}

/**
 * One part: when written, its value (the log finds or makes its hash); when read, its hash and, if the
 * log holds it decoded, its value, else its bytes (decoded only if the table is used: see EventLog.decodePart).
 */
export interface StoredPart {
  digest: string;
  value?: object;
  hash?: Uint8Array;
  bytes?: Uint8Array;
}

/** The state after event `seq`, stored so that rewinding replays few events. */
export interface Snapshot {
  seq: number;
  stateHash: string;
  state: StoredState;
}

/** The state at HEAD as a process left it: the next process opens by decoding it, not by replaying. */
export interface HeadState {
  branch: number;
  seq: number;
  state: StoredState;
}

/** One contiguous range of a timeline, stored under one branch id. */
export interface Segment {
  branch: number;
  from: number;
  to: number;
}
