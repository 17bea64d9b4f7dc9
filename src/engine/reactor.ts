/**
 * The reactor: one FIFO queue, controllers fed in a fixed order, no re-entrance, a hard bound.
 * Each event is applied, then shown (with the state after it) to every controller; what they emit
 * joins the back of the queue. The batch is done when the queue is empty: the cluster is quiescent.
 *
 * An event no controller watches (an interface, a route, a rule: most of what a task's start causes) is
 * shown to nobody, so a run of them is applied in one draft (evolveAll), as replay applies them: the
 * state after the run is the one event-by-event application gives, and the queue is the same.
 */
// Subject alone, not the whole bundle: rxjs's CommonJS index loads every operator (~50 ms per process).
import { Subject } from 'rxjs/internal/Subject';
import type { EngineEvent } from '../../events/index.js';
import { IDLE, watches, type Controller, type ControllerDeps, type Fact } from '../controllers/types.js';
import type { Prng } from '../sim/prng.js';
import { Ledger } from '../net/plan.js';
import { evolve, evolveAll } from '../state/index.js';
import { cloneData } from '../state/table.js';
import { InvariantError } from '../state/invariant.js';
import type { State } from '../state/types.js';

/** No command may cause more events than this: a loop that does not settle is a bug. */
export const MAX_EVENTS_PER_BATCH = 5_000_000;

export interface Applied {
  event: EngineEvent;
  atMs: number;
}

export class Reactor {
  private fact$ = new Subject<Fact>();
  private readonly emitted: EngineEvent[] = [];
  private rng: Prng | null = null;
  private ledger: Ledger | null = null;
  private readonly controllers: readonly Controller[];

  constructor(controllers: readonly Controller[]) {
    this.controllers = controllers;
    const deps: ControllerDeps = {
      rng: () => {
        if (!this.rng) throw new InvariantError('controller drew randomness outside a batch');
        return this.rng;
      },
      ledger: () => (this.ledger ??= new Ledger()),
    };
    this.subscribe(controllers, deps);
  }

  /** Whether some controller watches an event (the clock always: an event's time is read after it). */
  private watched(e: EngineEvent): boolean {
    if (e.type === 'ClockAdvanced') return true;
    for (const c of this.controllers) if (watches(c.on, e)) return true;
    return false;
  }

  /** A controller's pipeline that failed (a bug): the error run() throws once the fact is through. */
  private failure: { error: unknown } | null = null;

  /** Subscribes the pipelines, in order: for each fact, controller 1's output is queued before controller 2's. */
  private subscribe(controllers: readonly Controller[], deps: ControllerDeps): void {
    for (const c of controllers) {
      c.react(this.fact$, deps).subscribe({
        next: (e) => this.emitted.push(e),
        // A failed pipeline is closed for good: fail this batch, and give the next one fresh pipelines.
        error: (error: unknown) => {
          this.failure = { error };
          this.fact$.complete();
          this.fact$ = new Subject<Fact>();
          this.subscribe(controllers, deps);
        },
      });
    }
  }

  /** Shows a fact to every controller; throws what a failing pipeline reported. */
  private show(fact: Fact): void {
    this.fact$.next(fact);
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
  }

  /** Applies `initial` and every reaction, returning the new state and the applied events in order. */
  run(state: State, initial: readonly EngineEvent[], rng: Prng, applied: Applied[]): State {
    this.rng = rng;
    const queue: EngineEvent[] = [...initial];
    try {
      for (let i = 0; ; i++) {
        if (i >= MAX_EVENTS_PER_BATCH) throw new InvariantError(`reactor did not settle within ${MAX_EVENTS_PER_BATCH} events`);
        if (i === queue.length) {
          // Quiescent: one idle tick; what it provokes goes round again.
          this.emitted.length = 0;
          this.show({ event: IDLE, state });
          if (this.emitted.length === 0) break;
          for (const e of this.emitted) queue.push(e);
        }
        const event = queue[i]!;
        if (!this.watched(event)) {
          // A run of unwatched events: one draft, nobody shown (the clock does not move: atMs holds). In one
          // draft a reducer changes in place what an earlier event of the run stored, so each reducer is
          // handed its own copy of the event: what was stored of it is changed, never the logged event.
          let end = i + 1;
          while (end < queue.length && end < MAX_EVENTS_PER_BATCH && !this.watched(queue[end]!)) end++;
          state = end === i + 1 ? evolve(state, event) : evolveAll(state, queue.slice(i, end).map(cloneData));
          for (let k = i; k < end; k++) applied.push({ event: queue[k]!, atMs: state.sim.nowMs });
          i = end - 1;
          continue;
        }
        state = evolve(state, event);
        applied.push({ event, atMs: state.sim.nowMs });
        this.emitted.length = 0;
        this.show({ event, state });
        for (const e of this.emitted) queue.push(e);
      }
    } finally {
      this.rng = null;
      this.ledger = null;
    }
    return state;
  }
}
