/**
 * Controllers are RxJS pipelines: facts (an event and the state right after it) in, events out.
 * They never touch state and never do I/O; the reactor feeds them FIFO in a fixed order.
 */
import type { Observable } from 'rxjs';
import type { EngineEvent } from '../../events/index.js';
import type { Prng } from '../sim/prng.js';
import type { State } from '../state/types.js';

export interface Fact {
  event: EngineEvent;
  /** The state right after the event was applied. */
  state: State;
}

export interface ControllerDeps {
  /** The random stream of the batch being built. */
  rng(): Prng;
}

export interface Controller {
  name: string;
  react(fact$: Observable<Fact>, deps: ControllerDeps): Observable<EngineEvent>;
  /** The earliest virtual time at which this controller has something to do, if any. */
  nextDeadline?(state: State): number | null;
}
