/** The root reducer: every slice sees every event, in a fixed order. Pure: time travel calls it often. */
import { enablePatches, produce, produceWithPatches, setAutoFreeze, type Patch } from 'immer';
import type { EngineEvent } from '../../events/index.js';
import { hostsReducer } from './hosts.js';
import { nodesReducer } from './nodes.js';
import { simReducer } from './sim.js';
import { swarmReducer } from './swarm.js';
import { servicesReducer } from './services.js';
import { tasksReducer } from './tasks.js';
import { objectsReducer } from './objects.js';
import { networksReducer } from './networks.js';
import { kernelReducer } from './kernel.js';
import { emptyTable, ownTables } from './table.js';
import type { State } from './types.js';

// The state is never mutated outside a reducer; freezing would rescan every copied container.
setAutoFreeze(false);
enablePatches();

export type { State } from './types.js';

const SLICES: ReadonlyArray<(s: State, e: EngineEvent) => void> = [
  simReducer, hostsReducer, swarmReducer, nodesReducer, servicesReducer, tasksReducer, objectsReducer, networksReducer, kernelReducer,
];

/** The state before event 1. */
export function initialState(): State {
  return {
    sim: { seed: 0, epochMs: 0, nowMs: 0, engineVersion: '', firstHost: null },
    hosts: emptyTable(),
    swarm: null,
    nodes: emptyTable(),
    services: emptyTable(),
    tasks: emptyTable(),
    slots: emptyTable(),
    placements: emptyTable(),
    nodeTasks: emptyTable(),
    unallocated: emptyTable(),
    pending: emptyTable(),
    delayed: emptyTable(),
    secrets: emptyTable(),
    configs: emptyTable(),
    volumes: emptyTable(),
    containers: emptyTable(),
    networks: emptyTable(),
    addresses: emptyTable(),
    endpoints: emptyTable(),
    netns: emptyTable(),
    links: emptyTable(),
    routes: emptyTable(),
    rules: emptyTable(),
    ipvs: emptyTable(),
    backends: emptyTable(),
    netlb: emptyTable(),
    dns: emptyTable(),
  };
}

/** Applies one event to a draft. */
export function evolveDraft(draft: State, e: EngineEvent): void {
  for (const slice of SLICES) slice(draft, e);
}

/** state + event → next state (tables copy on write without proxies, as in evolveAll). */
export function evolve(state: State, e: EngineEvent): State {
  return produce(state, (d) => ownTables(() => evolveDraft(d, e)));
}

/** state + events → next state, in one draft whose tables copy on write without proxies (replay's fast path). */
export function evolveAll(state: State, events: readonly EngineEvent[]): State {
  if (events.length === 0) return state;
  return produce(state, (d) => ownTables(() => {
    for (const e of events) evolveDraft(d, e);
  }));
}

/** The state change one event makes, as immer patches (for `engine show`). */
export function evolveWithPatches(state: State, e: EngineEvent): [State, Patch[]] {
  const [next, patches] = produceWithPatches(state, (d) => evolveDraft(d, e));
  return [next, patches];
}
