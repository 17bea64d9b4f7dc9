/** Determinism: the same scenario twice gives byte-identical logs; the seed alone changes the IDs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';

const FIXTURE = readFileSync(join(__dirname, '..', 'fixtures', 'membership.swarm'), 'utf8');
const clis: TestCli[] = [];
afterEach(() => clis.splice(0).forEach((c) => c.cleanup()));

async function run(source: string): Promise<{ log: string; hash: string; nodes: string }> {
  const cli = new TestCli();
  clis.push(cli);
  const r = await cli.scenario(source);
  expect(r.code, r.stderr).toBe(0);
  return { log: await cli.ok('log', '--json'), hash: (await cli.ok('state', '--hash')).trim(), nodes: await cli.ok('--on', 'm3', 'node', 'ls', '-q') };
}

describe('determinism', () => {
  it('the same scenario twice: byte-identical log --json and the same state hash', async () => {
    const a = await run(FIXTURE);
    const b = await run(FIXTURE);
    expect(a.log.split('\n').length).toBeGreaterThan(40);
    expect(b.log).toBe(a.log);
    expect(b.hash).toBe(a.hash);
    expect(b.nodes).toBe(a.nodes);
  });

  it('another seed: other IDs, tokens and election timeouts', async () => {
    const a = await run(FIXTURE);
    const b = await run(FIXTURE.replace('init --seed 42', 'init --seed 43'));
    expect(b.hash).not.toBe(a.hash);
    const ids = (s: string) => s.split('\n').filter(Boolean);
    expect(ids(b.nodes)).toHaveLength(ids(a.nodes).length);
    expect(ids(b.nodes).filter((id) => ids(a.nodes).includes(id))).toEqual([]);
  });
});
