/**
 * The reactor: one atomic batch per command, controllers' reactions included, seeded per batch.
 * The in-memory TestEngine the controller tests use must build exactly the log the CLI builds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { TestEngine } from '../helpers/engine.js';
import { readLog } from '../helpers/log.js';
import { given } from '../helpers/refuse.js';

const cli = new TestCli();
/** The test controllers' watch list: the facts these tests show them. */
const ALL = { ClockAdvanced: true, Idle: true } as const;
afterAll(() => cli.cleanup());

describe('the reactor', () => {
  it('TestEngine (in memory) and the CLI (LevelDB) record the same events, seqs, batches and times', async () => {
    await given(cli, [
      'host add m1', 'host add m2', 'host add m3', 'host add w1',
      '--on m1 swarm init',
      '--on m2 swarm join --token $(swarm join-token -q manager) m1:2377',
      '--on m3 swarm join --token $(swarm join-token -q manager) m1:2377',
      '--on w1 swarm join --token $(swarm join-token -q worker) m1:2377',
      'host crash w1', 'advance 3s', 'host crash m1', 'advance 40s', 'host boot w1',
    ].join('\n'));
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.crash('w1');
    t.advance(3000);
    t.crash('m1');
    t.advance(40_000);
    t.boot('w1');
    const fromCli = (await readLog(cli)).map(({ seq, atMs, batch, event }) => ({ seq, atMs, batch, event }));
    expect(fromCli.length).toBeGreaterThan(15);
    expect(t.log).toEqual(fromCli);
  });

  it('a batch is the command\'s events followed by every reaction, in controller order, until quiet', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.crash('w1');
    const mark = t.lastSeq;
    t.crash('m1');
    const batch = t.since(mark);
    expect(new Set(batch.map((r) => r.batch))).toEqual(new Set([mark + 1]));
    expect(batch.map((r) => r.event.type)).toEqual(['HostCrashed', 'RaftLeaderLost', 'RaftElectionScheduled']);
  });
});

describe('the reactor with a failing controller', () => {
  it('throws the controller\'s error from run() and gives the next batch fresh pipelines', async () => {
    const { Reactor } = await import('../../src/engine/reactor.js');
    const { decideEach } = await import('../../src/controllers/operators.js');
    const { initialState } = await import('../../src/state/index.js');
    const { Prng } = await import('../../src/sim/prng.js');
    let calls = 0;
    const seen: string[] = [];
    const flaky = {
      name: 'flaky',
      on: ALL,
      react: (fact$: never) => (fact$ as import('rxjs').Observable<import('../../src/controllers/types.js').Fact>).pipe(decideEach(ALL, (f) => {
        if (f.event.type === 'Idle') return [];
        calls++;
        if (calls === 1) throw new Error('boom');
        return [];
      })),
    };
    const recorder = {
      name: 'recorder',
      on: ALL,
      react: (fact$: never) => (fact$ as import('rxjs').Observable<import('../../src/controllers/types.js').Fact>).pipe(decideEach(ALL, (f) => {
        seen.push(f.event.type);
        return [];
      })),
    };
    const reactor = new Reactor([flaky, recorder] as never);
    const ev = { type: 'ClockAdvanced', fromMs: 0, toMs: 1000 } as never;
    expect(() => reactor.run(initialState(), [ev], new Prng(1, 1), [])).toThrow('boom');
    const applied: unknown[] = [];
    reactor.run(initialState(), [ev], new Prng(1, 1), applied as never);
    expect(applied).toHaveLength(1);
    expect(calls).toBe(2);
    // the second batch reached both controllers: its event, then the idle tick
    expect(seen.slice(-2)).toEqual(['ClockAdvanced', 'Idle']);
  });
});
