/**
 * Controllers are RxJS pipelines: facts (an event and the state right after it) in, events out.
 * They never touch state and never do I/O; the reactor feeds them FIFO in a fixed order.
 */
import type { Observable } from 'rxjs';
import type { EngineEvent } from '../../events/index.js';
import type { Prng } from '../sim/prng.js';
import type { Ledger } from '../net/plan.js';
import type { State } from '../state/types.js';

/**
 * Not an event: the reactor's signal that its queue ran dry. Controllers that batch work (the scheduler,
 * like swarmkit's debounced tick) or fire due deadlines act on it. It is never logged.
 */
export interface IdleTick {
  type: 'Idle';
}

export const IDLE: IdleTick = { type: 'Idle' };

export interface Fact {
  event: EngineEvent | IdleTick;
  /** The state right after the event was applied (for Idle: the quiescent state). */
  state: State;
}

export interface ControllerDeps {
  /** The random stream of the batch being built. */
  rng(): Prng;
  /** Allocations planned in this batch but not applied yet (addresses, interface indexes). */
  ledger(): Ledger;
}

/** What a fact is about: an event, or the idle tick. */
export type FactEvent = EngineEvent | IdleTick;
/** What a fact can be: an event type, or the idle tick. */
export type FactType = FactEvent['type'];

/**
 * A controller's watch list, as swarmkit's loops watch chosen store events: each fact type it reacts to,
 * `true` for every fact of the type, or a test on the event (never on the state) for those it reacts to.
 */
export type Watch = { readonly [K in FactType]?: true | ((e: Extract<FactEvent, { type: K }>) => boolean) };

/** Whether a watch list takes a fact. */
export function watches(w: Watch, e: FactEvent): boolean {
  const x = w[e.type] as true | ((e: FactEvent) => boolean) | undefined;
  return x === true || (x !== undefined && x(e));
}

export interface Controller {
  name: string;
  /**
   * The facts this controller reacts to. Its pipeline never sees the others, and the reactor applies a
   * run of events no controller watches in one go, without showing them: the controller must emit
   * nothing for a fact its watch list does not take.
   */
  on: Watch;
  react(fact$: Observable<Fact>, deps: ControllerDeps): Observable<EngineEvent>;
  /** The earliest virtual time at which this controller has something to do, if any. */
  nextDeadline?(state: State): number | null;
}
