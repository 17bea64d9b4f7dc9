/**
 * Each controller's watch list (`on`) is a promise: for any fact it does not take, it emits nothing. The reactor
 * relies on it to apply runs of unwatched events without showing them. Here every shipped replay's
 * events are shown, one by one with the state after each, to every controller's decision function
 * directly (past the filter), and any decision on an unwatched fact fails the test.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { CONTROLLERS } from '../../src/controllers/index.js';
import { watches, type ControllerDeps, type Fact } from '../../src/controllers/types.js';
import { agentReact } from '../../src/controllers/agent/index.js';
import { allocatorReact } from '../../src/controllers/allocator/index.js';
import { constraintEnforcerReact } from '../../src/controllers/constraintenforcer/index.js';
import { livenessReact } from '../../src/controllers/liveness/index.js';
import { netAgentReact } from '../../src/controllers/netagent/index.js';
import { netAllocatorReact } from '../../src/controllers/netallocator/index.js';
import { orchestratorReact } from '../../src/controllers/orchestrator/index.js';
import { raftReact } from '../../src/controllers/raft/index.js';
import { reaperReact } from '../../src/controllers/reaper/index.js';
import { schedulerReact } from '../../src/controllers/scheduler/index.js';
import { updaterReact } from '../../src/controllers/updater/index.js';
import { Ledger } from '../../src/net/plan.js';
import { Prng } from '../../src/sim/prng.js';
import { evolve, initialState } from '../../src/state/index.js';
import { TestCli } from '../helpers/cli.js';
import { readLog } from '../helpers/log.js';

const DECIDE: Record<string, (f: Fact, deps: ControllerDeps) => EngineEvent[]> = {
  agent: agentReact, allocator: allocatorReact, constraintenforcer: constraintEnforcerReact, liveness: livenessReact,
  netagent: netAgentReact, netallocator: netAllocatorReact, orchestrator: orchestratorReact, raft: raftReact,
  reaper: reaperReact, scheduler: schedulerReact, updater: updaterReact,
};

const dir = join(__dirname, '..', '..', 'replays');
const replays = readdirSync(dir).filter((f) => f.endsWith('.swarm')).sort();
const clis: TestCli[] = [];
afterAll(() => clis.forEach((c) => c.cleanup()));

describe('controllers\' watch lists', () => {
  it('name a decision function for every controller', () => {
    expect(CONTROLLERS.map((c) => c.name).sort()).toEqual(Object.keys(DECIDE).sort());
  });

  it.each(replays)('hold for every event of %s: no decision on an unwatched fact', async (file) => {
    const cli = new TestCli();
    clis.push(cli);
    await cli.ok('run', '-q', join(dir, file));
    const log = await readLog(cli);
    let state = initialState();
    let unwatched = 0;
    const wrong: string[] = [];
    for (const { seq, event } of log) {
      state = evolve(state, event as unknown as EngineEvent);
      for (const c of CONTROLLERS) {
        if (watches(c.on, event as unknown as EngineEvent)) continue;
        unwatched++;
        const deps: ControllerDeps = { rng: () => new Prng(seq, 1), ledger: () => new Ledger() };
        const out = DECIDE[c.name]!({ event: event as unknown as EngineEvent, state }, deps);
        if (out.length > 0) wrong.push(`${c.name} on event ${seq} (${event.type}): ${out.map((e) => e.type).join(', ')}`);
      }
    }
    expect(unwatched).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
