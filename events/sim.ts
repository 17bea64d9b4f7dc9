/** Simulation events: the log's genesis and the virtual clock. */

/** The first event of every log: fixes the seed every random choice derives from, and the epoch. */
export interface LogInitialized {
  type: 'LogInitialized';
  seed: number;
  /** Wall-clock instant (ms since 1970) that virtual time 0 is displayed as. */
  epochMs: number;
  engineVersion: string;
}

/** Virtual time moved forward; controllers fire the deadlines that fell due. */
export interface ClockAdvanced {
  type: 'ClockAdvanced';
  fromMs: number;
  toMs: number;
}

export type SimEvent = LogInitialized | ClockAdvanced;
