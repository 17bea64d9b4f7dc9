/** What the log keeps besides events: branches, HEAD, the command behind each batch, snapshots. */

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

export interface Head {
  branch: number;
  /** null: at the branch's tip (new events move it); a number: rewound to just after that event. */
  at: number | null;
}

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

export interface Snapshot<S> {
  seq: number;
  stateHash: string;
  state: S;
}

/** One contiguous range of a timeline, stored under one branch id. */
export interface Segment {
  branch: number;
  from: number;
  to: number;
}
