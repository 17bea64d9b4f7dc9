/** step / step --back, and acting in the past: forks, the old future kept, batches kept atomic. */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { batchEnd, findEvent, readLog } from '../helpers/log.js';
import { fingerprint, nodeStatus, refused } from '../helpers/refuse.js';

const REPLAY = join(__dirname, '..', '..', 'replays', 'five-node-swarm.swarm');
let cli: TestCli;
let tip: number;
let tipHash: string;
beforeEach(async () => {
  cli = new TestCli();
  await cli.ok('run', '-q', REPLAY);
  tip = (await readLog(cli)).length;
  tipHash = (await cli.ok('state', '--hash')).trim();
});
afterEach(() => cli.cleanup());

/** The batch `host crash manager1` starts, and the boundary just before it. */
async function beforeLeaderCrash(): Promise<number> {
  const crash = await findEvent(cli, 'host manager1 crashed', (e) => e.type === 'HostCrashed' && e.event.name === 'manager1');
  return crash.seq - 1;
}

describe('step', () => {
  it('moves HEAD one event (or K) forward or back, and views follow', async () => {
    const down = await findEvent(cli, 'worker1 down', (e) => e.type === 'NodeStatusChanged' && e.event.to === 'down');
    await cli.ok('rewind', '--to', String(down.seq - 1));
    expect(await nodeStatus(cli, 'worker1')).toBe('Ready');
    const out = await cli.ok('step');
    expect(out).toBe(`HEAD is now at event ${down.seq} of ${tip} on main (virtual time 15s)\n  NodeStatusChanged: node worker1 (${String(down.event.nodeId).slice(0, 12)}) ready → down (heartbeat failure)\n`);
    expect(await nodeStatus(cli, 'worker1')).toBe('Down');
    expect(await cli.ok('step', '--back')).toMatch(new RegExp(`^HEAD is now at event ${down.seq - 1} of ${tip} on main`));
    expect(await nodeStatus(cli, 'worker1')).toBe('Ready');
    expect(await cli.ok('step', '3')).toMatch(new RegExp(`^HEAD is now at event ${down.seq + 2} of`));
    expect(await cli.ok('step', '--back', '2')).toMatch(new RegExp(`^HEAD is now at event ${down.seq} of`));
  });

  it('clamps at both ends of the timeline: event 1 (the log\'s creation, its seed) and the tip', async () => {
    expect(await cli.ok('step', '--back', '1000')).toBe(`HEAD is now at event 1 of ${tip} on main (virtual time 0s)\n  LogInitialized: log created with seed 1\n`);
    expect(JSON.parse(await cli.ok('state', '--json')).swarm).toBeNull();
    expect(await refused(cli, 'rewind', '--to', 'event', '0'))
      .toBe("Error: event 0 is the empty state before the log; HEAD can go back to event 1 (the log's creation) at the earliest");
    expect(JSON.parse(await cli.ok('state', '--at', '0', '--json')).sim.seed).toBe(0); // still viewable
    expect(await cli.ok('step', '1000')).toMatch(new RegExp(`^HEAD is now at event ${tip} of ${tip} on main \\(virtual time 1m0s\\)\\n`));
    expect((await cli.ok('state', '--hash')).trim()).toBe(tipHash);
  });

  it('the log marks HEAD while rewound, and still lists the whole timeline', async () => {
    const init = await findEvent(cli, 'swarm init', (e) => e.type === 'SwarmInitialized');
    await cli.ok('rewind', '--to', 'event', String(init.seq));
    const lines = (await cli.ok('log')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(tip);
    expect(lines[init.seq - 1]).toMatch(new RegExp(`^ *${init.seq} {8}0s {2}SwarmInitialized .* ← HEAD$`));
    expect(lines.filter((l) => l.includes('← HEAD'))).toHaveLength(1);
  });
});

describe('acting in the past', () => {
  it('forks a branch (with a notice on stderr); the old future stays on main', async () => {
    const at = await beforeLeaderCrash();
    await cli.ok('rewind', '--to', 'event', String(at));
    const r = await cli.run('host', 'crash', 'worker2');
    expect(r).toEqual({ code: 0, stdout: 'worker2\n', stderr: `HEAD was at event ${at}: this command starts branch 'main-${at}' (the old future stays on 'main')\n` });
    expect(await cli.ok('branch')).toBe(`  main  ${tip} events\n* main-${at}  ${at + 1} events, forked from main at event ${at}\n`);

    // The branch shares events 1..at with main, then goes its own way.
    const main = await readLog(cli, '--to', String(at));
    const branch = await readLog(cli);
    expect(branch.slice(0, at)).toEqual(main);
    expect(branch.slice(at).map((e) => [e.seq, e.type, e.event.name])).toEqual([[at + 1, 'HostCrashed', 'worker2']]);
    expect(branch[at]!.prevHash).toBe(main[at - 1]!.hash);
    // In this timeline manager1 never crashed.
    expect((await cli.ok('node', 'ls', '--format', '{{.Hostname}} {{.ManagerStatus}}')).split('\n')[0]).toBe('manager1 Leader');

    expect(await cli.ok('checkout', 'main')).toBe(`Switched to branch 'main' (event ${tip})\n`);
    expect((await cli.ok('state', '--hash')).trim()).toBe(tipHash);
    expect(await readLog(cli)).toHaveLength(tip);
    expect(await cli.ok('branch')).toBe(`* main  ${tip} events\n  main-${at}  ${at + 1} events, forked from main at event ${at}\n`);
    // Points on other branches are reachable by name.
    expect(await cli.ok('diff', `main@${at}`, `main-${at}`)).toBe(`diff main@${at} → main-${at} (event ${at + 1}): 1 change\n  host worker2 crashed\n~ host worker2\n    changedAtMs: 0 → 20000\n    up: true → false\n`);
    expect(await cli.ok('verify')).toMatch(/^ok: \d+ events in 2 branches; hash chains intact; every replay matches its recorded state\n$/);
  });

  it('a second fork at the same point gets its own name; acting at a branch tip just appends', async () => {
    const at = await beforeLeaderCrash();
    await cli.ok('rewind', '--to', String(at));
    await cli.ok('host', 'crash', 'worker2');
    expect((await cli.run('host', 'crash', 'manager2')).stderr).toBe(''); // at the tip of main-N: no fork
    await cli.ok('checkout', 'main');
    await cli.ok('rewind', '--to', String(at));
    expect((await cli.run('host', 'add', 'extra')).stderr).toBe(`HEAD was at event ${at}: this command starts branch 'main-${at}-2' (the old future stays on 'main')\n`);
    const names = [...(await cli.ok('branch')).matchAll(/^[* ] (\S+)/gm)].map((m) => m[1]);
    expect(names).toEqual(['main', `main-${at}`, `main-${at}-2`]);
  });

  it('a named branch at HEAD: checkout, act, and main is untouched', async () => {
    const init = await findEvent(cli, 'swarm init', (e) => e.type === 'SwarmInitialized');
    const at = init.batch - 1;
    await cli.ok('rewind', '--to', String(at));
    expect(await cli.ok('branch', 'no-swarm')).toBe(`branch 'no-swarm' starts at event ${at} (engine checkout no-swarm to act on it)\n`);
    await cli.ok('checkout', 'no-swarm');
    const r = await cli.run('host', 'add', 'worker3');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const log = await readLog(cli);
    expect(log.filter((e) => e.type === 'HostAdded').map((e) => e.event.name)).toEqual(['manager1', 'manager2', 'manager3', 'worker1', 'worker2', 'worker3']);
    expect(log.some((e) => e.type === 'SwarmInitialized')).toBe(false);
    await cli.ok('checkout', 'main');
    expect((await cli.ok('state', '--hash')).trim()).toBe(tipHash);
  });

  it('acting at an event inside a batch is refused, appends nothing and forks nothing', async () => {
    const crash = await findEvent(cli, 'host manager1 crashed', (e) => e.type === 'HostCrashed' && e.event.name === 'manager1');
    const end = await batchEnd(cli, crash.batch);
    expect(end).toBeGreaterThan(crash.seq); // the crash batch holds the controllers' reactions
    await cli.ok('rewind', '--to', String(crash.seq));
    const before = await fingerprint(cli);
    expect(await refused(cli, 'host', 'add', 'extra'))
      .toBe(`Error: event ${crash.seq} is inside the batch of events ${crash.batch}–${end}; rewind to ${crash.batch - 1} or ${end} to act from there`);
    expect(await fingerprint(cli)).toEqual(before);
    expect(before.branches).toBe(`* main  ${tip} events (HEAD rewound to event ${crash.seq})\n`);
  });

  it('acting at event 1 forks a timeline that keeps the log\'s seed and epoch', async () => {
    await cli.ok('rewind', '--to', '1');
    await cli.ok('host', 'add', 'solo');
    const log = await readLog(cli);
    expect(log.map((e) => e.type).slice(0, 2)).toEqual(['LogInitialized', 'HostAdded']);
    expect(log.slice(2).every((e) => e.batch === 2)).toBe(true); // the rest: the new host's default networks
    expect(JSON.parse(await cli.ok('state', '--json')).sim).toMatchObject({ seed: 1, epochMs: Date.UTC(2026, 0, 1, 9), engineVersion: '28.2.2' });
  });

  it('a refused command in the past forks nothing', async () => {
    await cli.ok('rewind', '--to', String(await beforeLeaderCrash()));
    await refused(cli, 'host', 'crash', 'ghost');
    expect((await cli.ok('branch')).split('\n').filter(Boolean)).toHaveLength(1);
  });
});

