/**
 * Rewinding is replaying: at EVERY batch boundary N of a scenario, `rewind --to event N` on the full log
 * gives the same `state --hash` (and the same events) as a fresh log that ran the scenario's first k lines,
 * the prefix whose last batch ends at N.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioLines } from '../../src/cli/engine/scenario.js';
import { TestCli } from '../helpers/cli.js';

const SCENARIOS: [string, string][] = [
  ['replays/five-node-swarm.swarm', readFileSync(join(__dirname, '..', '..', 'replays', 'five-node-swarm.swarm'), 'utf8')],
  ['test/fixtures/membership.swarm', readFileSync(join(__dirname, '..', 'fixtures', 'membership.swarm'), 'utf8')],
];

const clis: TestCli[] = [];
const fresh = (): TestCli => {
  const c = new TestCli();
  clis.push(c);
  return c;
};
afterAll(() => clis.forEach((c) => c.cleanup()));

interface Logged { seq: number; batch: number; type: string }

async function logOf(cli: TestCli): Promise<{ lines: string[]; events: Logged[] }> {
  const lines = (await cli.ok('log', '--json')).split('\n').filter(Boolean);
  return { lines, events: lines.map((l) => JSON.parse(l) as Logged) };
}

/** The last seq of every batch: the points a command leaves the log at. */
function batchEnds(events: Logged[]): number[] {
  const ends: number[] = [];
  events.forEach((e, i) => {
    const next = events[i + 1];
    if (!next || next.batch !== e.batch) ends.push(e.seq);
  });
  return ends;
}

describe.each(SCENARIOS)('rewinding %s', (_name, source) => {
  it('matches a fresh run of the same commands at every batch boundary', async () => {
    const lines = scenarioLines(source).map((l) => l.text);
    const full = fresh();
    const r = await full.scenario(source);
    expect(r.code, r.stderr).toBe(0);
    const whole = await logOf(full);
    const tipHash = (await full.ok('state', '--hash')).trim();
    const ends = batchEnds(whole.events);
    expect(ends.length).toBeGreaterThan(10);

    // Fresh logs for every prefix of the scenario (the first command creates the log: event 1 alone).
    // The hash chain covers each batch's command line too, and the explicit `init --seed N` below is typed
    // differently from the implicit init of the scenario's first command: that prefix is compared without hashes.
    const byTip = new Map<number, { hash: string; lines: string[]; typedInit: boolean }>();
    const record = async (cli: TestCli, typedInit = false) => {
      const log = await logOf(cli);
      const tip = log.events.length;
      const hash = (await cli.ok('state', '--hash')).trim();
      const seen = byTip.get(tip);
      if (seen) expect(hash, `two prefixes ending at event ${tip} agree`).toBe(seen.hash);
      else byTip.set(tip, { hash, lines: log.lines, typedInit });
    };
    const withoutHashes = (ls: string[]): unknown[] => ls.map((l) => {
      const { hash: _h, prevHash: _p, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
    const init = fresh();
    await init.ok('init', '--seed', String(JSON.parse(whole.lines[0]!).event.seed));
    await record(init, true);
    for (let k = 1; k <= lines.length; k++) {
      const c = fresh();
      const pr = await c.scenario(lines.slice(0, k).join('\n') + '\n');
      expect(pr.code, `first ${k} lines: ${pr.stderr}`).toBe(0);
      await record(c);
      c.cleanup();
    }

    // Every boundary of the full log is the tip of some prefix, and nothing else is.
    expect([...byTip.keys()].sort((a, b) => a - b)).toEqual(ends);
    for (const n of ends) {
      const want = byTip.get(n)!;
      if (want.typedInit) expect(withoutHashes(want.lines), `the events 1..${n} are the same`).toEqual(withoutHashes(whole.lines.slice(0, n)));
      else expect(want.lines, `the events 1..${n} are the same bytes`).toEqual(whole.lines.slice(0, n));
      const out = await full.ok('rewind', '--to', 'event', String(n));
      expect(out).toMatch(new RegExp(`^HEAD is now at event ${n} of ${whole.events.length} on main \\(virtual time [^)]+\\)\\n$`));
      expect((await full.ok('state', '--hash')).trim(), `rewind --to event ${n}`).toBe(want.hash);
      expect((await full.ok('state', '--at', String(n), '--hash')).trim(), `state --at ${n}`).toBe(want.hash);
    }
    // Back at the tip, nothing was lost.
    await full.ok('checkout', 'main');
    expect((await full.ok('state', '--hash')).trim()).toBe(tipHash);
    expect((await logOf(full)).lines).toEqual(whole.lines);
  });
});
