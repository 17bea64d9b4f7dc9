import { findEvent } from '../helpers/log.js';
/** A recording as one file: export, then import into a fresh log, reproduces it byte for byte. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { refused } from '../helpers/refuse.js';

const REPLAY = join(__dirname, '..', '..', 'replays', 'five-node-swarm.swarm');
const clis: TestCli[] = [];
const fresh = (): TestCli => {
  const c = new TestCli();
  clis.push(c);
  return c;
};
afterEach(() => clis.splice(0).forEach((c) => c.cleanup()));

describe('export / import', () => {
  it('reproduces every branch: the same log --json, the same state, and verify passes', async () => {
    const a = fresh();
    await a.ok('run', '-q', REPLAY);
    const crash = await findEvent(a, 'worker1 crash', (e) => e.type === 'HostCrashed');
    await a.ok('rewind', '--to', String(crash.batch - 1));
    await a.ok('host', 'crash', 'worker2'); // a second branch
    await a.ok('checkout', 'main');
    const file = join(a.dir, 'recording.bin');
    expect(await a.ok('export', file)).toMatch(new RegExp(`^exported \\d+ records to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));

    const b = fresh();
    expect(await b.ok('import', file)).toMatch(/^imported \d+ records from .*; run engine verify to check them\n$/);
    expect(await b.ok('verify')).toMatch(/^ok: \d+ events in 2 branches; hash chains intact; every replay matches its recorded state\n$/);
    for (const view of [['log', '--json'], ['state', '--hash'], ['branch'], ['node', 'ls']]) {
      expect(await b.ok(...view), `engine ${view.join(' ')}`).toBe(await a.ok(...view));
    }
    await a.ok('checkout', `main-${crash.batch - 1}`);
    await b.ok('checkout', `main-${crash.batch - 1}`);
    expect(await b.ok('log', '--json')).toBe(await a.ok('log', '--json'));
    // The imported log goes on like the original.
    await a.ok('advance', '30s');
    await b.ok('advance', '30s');
    expect(await b.ok('log', '--json')).toBe(await a.ok('log', '--json'));
  });

  it('refuses a file that is not a recording', async () => {
    const c = fresh();
    const junk = join(c.dir, 'junk.bin');
    writeFileSync(junk, 'not a recording');
    const r = await c.run('import', junk);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: (cannot read recording .*|.* is not a swarm-engine recording)\n$/);
    // The log stays empty: a later command starts it from scratch.
    await c.ok('host', 'add', 'a');
    expect((await c.ok('log', '--json')).split('\n').filter(Boolean).map((l) => JSON.parse(l).seq as number).slice(0, 2)).toEqual([1, 2]);
    expect(await c.ok('log', '--type', 'HostAdded')).toMatch(/^ +2 /); // event 1 is the log's creation, 2 the host
    expect(await refused(c, 'import', junk)).toMatch(/^Error: the event log at .* is not empty: import into a new --db folder$/);
  });
});
