/** Slice: the simulation itself (seed, epoch, virtual clock). */
import type { EngineEvent } from '../../events/index.js';
import { invariant } from './invariant.js';
import type { State } from './types.js';

export function simReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'LogInitialized':
      s.sim.seed = e.seed;
      s.sim.epochMs = e.epochMs;
      s.sim.engineVersion = e.engineVersion;
      return;
    case 'ClockAdvanced':
      invariant(e.fromMs === s.sim.nowMs && e.toMs >= e.fromMs, `clock moves forward from ${s.sim.nowMs}`);
      s.sim.nowMs = e.toMs;
      return;
    case 'HostAdded':
      s.sim.firstHost ??= e.name;
      return;
    default:
      return;
  }
}
