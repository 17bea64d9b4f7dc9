/** `engine swarm …` through the real CLI and a real LevelDB: Docker's output, line for line. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { given, nodeRows, refused } from '../helpers/refuse.js';

const TOKEN = /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/;
let cli: TestCli;
beforeEach(() => {
  cli = new TestCli();
});
afterEach(() => cli.cleanup());

describe('engine swarm init', () => {
  it('prints Docker\'s text: the node ID, the worker join command, the manager hint', async () => {
    await given(cli, 'host add manager1\nhost add worker1');
    const out = await cli.ok('--on', 'manager1', 'swarm', 'init');
    const lines = out.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^Swarm initialized: current node \([0-9a-z]{25}\) is now a manager\.$/);
    expect(lines.slice(1)).toEqual([
      '',
      'To add a worker to this swarm, run the following command:',
      '',
      expect.stringMatching(/^ {4}docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 192\.168\.99\.100:2377$/),
      '',
      "To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.",
      '',
      '',
    ]);
    const id = /\(([0-9a-z]{25})\)/.exec(lines[0]!)![1];
    const [self] = await nodeRows(cli);
    expect(self).toMatchObject({ ID: id, Hostname: 'manager1', Self: true, Status: 'Ready', ManagerStatus: 'Leader' });
    // The printed token is the worker token.
    expect(lines[4]!.trim().split(' ')[4]).toBe((await cli.ok('swarm', 'join-token', '-q', 'worker')).trim());
  });

  it('uses --advertise-addr in the join command; refuses a bad one and a second init', async () => {
    await given(cli, 'host add manager1\nhost add manager2');
    expect(await refused(cli, '--on', 'manager1', 'swarm', 'init', '--advertise-addr', '1.2.3'))
      .toBe('Error: Error response from daemon: advertise address must be a non-zero IP address or network interface (with optional port number)');
    const out = await cli.ok('--on', 'manager1', 'swarm', 'init', '--advertise-addr', '10.20.30.40');
    expect(out).toContain(' 10.20.30.40:2377\n');
    expect(await refused(cli, '--on', 'manager1', 'swarm', 'init'))
      .toBe('Error: Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
  });
});

describe('engine swarm join-token', () => {
  beforeEach(async () => {
    await given(cli, 'host add manager1\nhost add worker1\nhost add worker2\nhost add manager2\n--on manager1 swarm init');
  });

  it('prints the join command, or only the token with -q', async () => {
    const worker = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    const manager = (await cli.ok('swarm', 'join-token', '-q', 'manager')).trim();
    expect(worker).toMatch(TOKEN);
    expect(manager).toMatch(TOKEN);
    expect(worker.slice(0, 59)).toBe(manager.slice(0, 59)); // same CA digest
    expect(worker.slice(60)).not.toBe(manager.slice(60));
    expect(await cli.ok('swarm', 'join-token', 'manager')).toBe(
      `To add a manager to this swarm, run the following command:\n\n    docker swarm join --token ${manager} 192.168.99.100:2377\n\n`);
    expect(await refused(cli, 'swarm', 'join-token', 'admin')).toBe('Error: unknown role admin');
  });

  it('--rotate replaces the token; the old one is refused, nodes that joined stay', async () => {
    const old = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    const manager = (await cli.ok('swarm', 'join-token', '-q', 'manager')).trim();
    await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', old, 'manager1:2377');
    const out = await cli.ok('swarm', 'join-token', '--rotate', 'worker');
    const fresh = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    expect(fresh).not.toBe(old);
    expect(out).toBe(`Successfully rotated worker join token.\n\nTo add a worker to this swarm, run the following command:\n\n    docker swarm join --token ${fresh} 192.168.99.100:2377\n\n`);
    expect((await cli.ok('swarm', 'join-token', '-q', 'manager')).trim()).toBe(manager);
    expect(await refused(cli, '--on', 'worker2', 'swarm', 'join', '--token', old, 'manager1:2377'))
      .toBe('Error: Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster');
    expect(await cli.ok('--on', 'worker2', 'swarm', 'join', '--token', fresh, 'manager1:2377')).toBe('This node joined a swarm as a worker.\n');
    expect((await nodeRows(cli)).map((r) => [r.Hostname, r.Status])).toEqual([['manager1', 'Ready'], ['worker1', 'Ready'], ['worker2', 'Ready']]);
    // --rotate -q prints just the new token.
    const q = (await cli.ok('swarm', 'join-token', '--rotate', '-q', 'manager')).trim();
    expect(q).toMatch(TOKEN);
    expect(q).not.toBe(manager);
    expect((await cli.ok('swarm', 'join-token', '-q', 'manager')).trim()).toBe(q);
  });

  it('is manager-only: a worker gets Docker\'s message', async () => {
    await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim(), 'manager1:2377');
    const msg = "Error: Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
    expect(await refused(cli, '--on', 'worker1', 'swarm', 'join-token', 'worker')).toBe(msg);
    expect(await refused(cli, '--on', 'worker1', 'swarm', 'join-token', '--rotate', 'worker')).toBe(msg);
  });
});

describe('engine swarm join', () => {
  beforeEach(async () => {
    await given(cli, 'host add manager1\nhost add manager2\nhost add worker1\n--on manager1 swarm init');
  });

  it('the token decides worker or manager', async () => {
    const w = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    const m = (await cli.ok('swarm', 'join-token', '-q', 'manager')).trim();
    expect(await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', w, '192.168.99.100:2377')).toBe('This node joined a swarm as a worker.\n');
    expect(await cli.ok('--on', 'manager2', 'swarm', 'join', '--token', m, '192.168.99.100:2377')).toBe('This node joined a swarm as a manager.\n');
    const rows = await nodeRows(cli);
    expect(rows.map((r) => [r.Hostname, r.ManagerStatus])).toEqual([['manager1', 'Leader'], ['manager2', 'Reachable'], ['worker1', '']]);
    for (const r of rows) expect(r.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(new Set(rows.map((r) => r.ID)).size).toBe(3);
  });

  it('refuses a malformed token, a second join, and a missing --token', async () => {
    const w = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    expect(await refused(cli, '--on', 'worker1', 'swarm', 'join', '--token', 'SWMTKN-1-abc-def', 'manager1:2377'))
      .toBe('Error: Error response from daemon: invalid join token');
    await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', w, 'manager1:2377');
    expect(await refused(cli, '--on', 'worker1', 'swarm', 'join', '--token', w, 'manager1:2377'))
      .toBe('Error: Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
    expect(await refused(cli, '--on', 'manager2', 'swarm', 'join', 'manager1:2377')).toBe('Error: required flag(s) "token" not set');
  });

  it('leave: a worker leaves and is listed Down; a manager must use --force', async () => {
    const w = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', w, 'manager1:2377');
    expect(await cli.ok('--on', 'worker1', 'swarm', 'leave')).toBe('Node left the swarm.\n');
    expect((await nodeRows(cli)).find((r) => r.Hostname === 'worker1')).toMatchObject({ Status: 'Down' });
    expect(await refused(cli, '--on', 'manager1', 'swarm', 'leave')).toMatch(/^Error: Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager\. Removing the last manager erases all current state of the swarm\./);
    // Rejoining makes a new node; the old one stays listed, Down.
    await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', w, 'manager1:2377');
    expect((await nodeRows(cli)).filter((r) => r.Hostname === 'worker1').map((r) => r.Status).sort()).toEqual(['Down', 'Ready']);
  });
});

describe('join tokens at rest', () => {
  it('never reach the log in clear: the events hold them sealed, the recorded command lines redacted', async () => {
    await given(cli, 'host add m1\nhost add w1\n--on m1 swarm init');
    const token = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    expect(token).toMatch(TOKEN);
    await cli.ok('--on', 'w1', 'swarm', 'join', '--token', token, 'm1:2377');
    const rotated = (await cli.ok('swarm', 'join-token', '--rotate', '-q', 'manager')).trim();
    const managerToken = (await cli.ok('swarm', 'join-token', '-q', 'manager')).trim();
    expect(managerToken).toBe(rotated);
    const secrets = [token, managerToken].map((t) => t.split('-').at(-1)!);
    // Every byte of the log folder, and every view of the log.
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const f of readdirSync(cli.dir)) {
      const bytes = readFileSync(join(cli.dir, f));
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${f} holds a token secret`).toBe(false);
    }
    const views = [await cli.ok('log', '--json'), await cli.ok('state', '--json'), ...await Promise.all(Array.from({ length: 12 }, (_, i) => cli.run('show', String(i + 1)).then((r) => r.stdout)))].join('\n');
    for (const s of secrets) expect(views).not.toContain(s);
    // The join's command line is recorded with the token's secret part redacted.
    const join1 = (await cli.ok('log', '--type', 'NodeJoined', '--json')).trim().split('\n').map((l) => JSON.parse(l) as { seq: number })[0]!;
    expect(await cli.ok('show', String(join1.seq))).toContain(`swarm join --token ${token.split('-').slice(0, 3).join('-')}-<redacted> m1:2377`);
    // The sealed tokens still work: a second worker joins with the current token.
    await cli.ok('host', 'add', 'w2');
    await cli.ok('--on', 'w2', 'swarm', 'join', '--token', token, 'm1:2377');
  });
});
