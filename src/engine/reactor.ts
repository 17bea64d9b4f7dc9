/**
 * The reactor: one FIFO queue, controllers fed in a fixed order, no re-entrance, a hard bound.
 * Each event is applied, then shown (with the state after it) to every controller; what they emit
 * joins the back of the queue. The batch is done when the queue is empty: the cluster is quiescent.
 */
// Subject alone, not the whole bundle: rxjs's CommonJS index loads every operator (~50 ms per process).
import { Subject } from 'rxjs/internal/Subject';
import type { EngineEvent } from '../../events/index.js';
import { IDLE, type Controller, type ControllerDeps, type Fact } from '../controllers/types.js';
import type { Prng } from '../sim/prng.js';
import { Ledger } from '../net/plan.js';
import { evolve } from '../state/index.js';
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

  constructor(controllers: readonly Controller[]) {
    const deps: ControllerDeps = {
      rng: () => {
        if (!this.rng) throw new InvariantError('controller drew randomness outside a batch');
        return this.rng;
      },
      ledger: () => (this.ledger ??= new Ledger()),
    };
    this.subscribe(controllers, deps);
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
