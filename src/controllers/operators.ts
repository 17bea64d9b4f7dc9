/**
 * The operator every controller's pipeline ends with: a synchronous decision per fact, its events
 * emitted in order. `mergeMap((f) => from(decide(f)))` does the same but subscribes an inner Observable
 * per fact — for eleven controllers, eleven subscriptions per event, most of them for an empty array,
 * which cost more than the decisions. Errors and completion pass through as mergeMap passes them.
 * Facts the controller's watch list (`on`) does not take are passed over without a decision.
 */
import type { OperatorFunction } from 'rxjs';
import { watches, type Fact, type Watch } from './types.js';
// The class alone, not the whole bundle (see engine/reactor.ts).
import { Observable } from 'rxjs/internal/Observable';

export function decideEach<R>(on: Watch, decide: (fact: Fact) => readonly R[]): OperatorFunction<Fact, R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => {
          if (!watches(on, value.event)) return;
          let out: readonly R[];
          try {
            out = decide(value);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          for (let i = 0; i < out.length && !subscriber.closed; i++) subscriber.next(out[i]!);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
