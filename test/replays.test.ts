/** Every shipped replay runs twice with byte-identical logs and states, and matches its expected result. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestCli } from './helpers/cli.js';

const dir = join(__dirname, '..', 'replays');
const replays = readdirSync(dir).filter((f) => f.endsWith('.swarm')).sort();
const clis: TestCli[] = [];
afterAll(() => clis.forEach((c) => c.cleanup()));

describe.each(replays)('replay %s', (file) => {
  it('runs twice with identical event logs and state hashes, matching the expected hash', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const cli = new TestCli();
      clis.push(cli);
      await cli.ok('run', '-q', join(dir, file));
      runs.push({ log: await cli.ok('log', '--json'), hash: (await cli.ok('state', '--hash')).trim(), verify: await cli.ok('verify') });
    }
    expect(runs[0]!.log.length).toBeGreaterThan(0);
    expect(runs[1]!.log).toBe(runs[0]!.log);
    expect(runs[1]!.hash).toBe(runs[0]!.hash);
    expect(runs[0]!.verify).toMatch(/^ok: /);
    const expected = join(dir, file.replace(/\.swarm$/, '.expected.json'));
    expect(existsSync(expected), `${expected} exists`).toBe(true);
    const want = JSON.parse(readFileSync(expected, 'utf8')) as { stateHash: string; events: number };
    expect(runs[0]!.hash).toBe(want.stateHash);
    expect(runs[0]!.log.trim().split('\n').length).toBe(want.events);
  });
});
