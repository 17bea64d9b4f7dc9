/** `engine node …` through the real CLI: Docker's columns, JSON shapes and refusals. */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { FIVE_NODES, given, nodeRows, nodeStatus, refused } from '../helpers/refuse.js';

const NOT_MANAGER = "Error: Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
const FP = 'Error: Error response from daemon: rpc error: code = FailedPrecondition desc = ';

describe('engine node ls', () => {
  const cli = new TestCli();
  let ids: Record<string, string>;
  beforeAll(async () => {
    // Added out of order: rows are sorted naturally by hostname, not by insertion or ID.
    await given(cli, [
      'host add manager1', 'host add worker10', 'host add worker2', 'host add worker1',
      '--on manager1 swarm init',
      ...['worker10', 'worker2', 'worker1'].map((w) => `--on ${w} swarm join --token $(swarm join-token -q worker) manager1:2377`),
    ].join('\n'));
    ids = Object.fromEntries((await nodeRows(cli)).map((r) => [r.Hostname as string, r.ID as string]));
  });
  afterAll(() => cli.cleanup());

  it('prints Docker\'s columns, full 25-character IDs, `*` for self, capitalised values, natural order', async () => {
    const out = await cli.ok('node', 'ls');
    const row = (h: string, self: boolean, status: string, mgr: string) =>
      `${ids[h]} ${self ? '*' : ' '}   ${h.padEnd(11)}${status.padEnd(10)}${'Active'.padEnd(15)}${mgr.padEnd(17)}28.2.2`;
    expect(out.split('\n')).toEqual([
      'ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION',
      row('manager1', true, 'Ready', 'Leader'),
      row('worker1', false, 'Ready', ''),
      row('worker2', false, 'Ready', ''),
      row('worker10', false, 'Ready', ''),
      '',
    ]);
    for (const id of Object.values(ids)) expect(id).toMatch(/^[0-9a-z]{25}$/);
  });

  it('-q prints only the IDs, in the same order', async () => {
    expect(await cli.ok('node', 'ls', '-q')).toBe(['manager1', 'worker1', 'worker2', 'worker10'].map((h) => `${ids[h]}\n`).join(''));
  });

  it('--format json: one object per line with the keys Docker prints', async () => {
    const lines = (await cli.ok('node', 'ls', '--format', 'json')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['Availability', 'EngineVersion', 'Hostname', 'ID', 'ManagerStatus', 'Self', 'Status', 'TLSStatus']);
    expect(first).toEqual({ Availability: 'Active', EngineVersion: '28.2.2', Hostname: 'manager1', ID: ids.manager1, ManagerStatus: 'Leader', Self: true, Status: 'Ready', TLSStatus: 'Ready' });
    expect(JSON.parse(lines[3]!)).toMatchObject({ Hostname: 'worker10', Self: false, ManagerStatus: '' });
  });

  it('a Go template with {{.Field}}', async () => {
    expect(await cli.ok('node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).toBe('manager1 Ready\nworker1 Ready\nworker2 Ready\nworker10 Ready\n');
  });

  it('filters by role and name', async () => {
    expect(await cli.ok('node', 'ls', '-q', '--filter', 'role=manager')).toBe(`${ids.manager1}\n`);
    expect((await cli.ok('node', 'ls', '--format', '{{.Hostname}}', '-f', 'name=worker1'))).toBe('worker1\nworker10\n');
    // A name filter is a hostname prefix, never a regular expression.
    expect(await cli.ok('node', 'ls', '-q', '-f', 'name=orker')).toBe('');
    expect(await cli.ok('node', 'ls', '-q', '-f', 'name=(')).toBe('');
    expect(await refused(cli, 'node', 'ls', '-f', 'colour=blue')).toBe("Error: Error response from daemon: invalid filter 'colour'");
  });

  it('is manager-only; --on an unknown host is refused', async () => {
    expect(await refused(cli, '--on', 'worker1', 'node', 'ls')).toBe(NOT_MANAGER);
    expect(await refused(cli, '--on', 'worker1', 'node', 'inspect', 'self')).toBe(NOT_MANAGER);
    expect(await refused(cli, '--on', 'worker1', 'node', 'update', '--availability', 'drain', 'worker1')).toBe(NOT_MANAGER);
    expect(await refused(cli, '--on', 'worker1', 'node', 'promote', 'worker2')).toBe(NOT_MANAGER);
    expect(await refused(cli, '--on', 'worker1', 'node', 'rm', 'worker2')).toBe(NOT_MANAGER);
    expect(await refused(cli, '--on', 'nohost', 'node', 'ls')).toBe('Error: no such host: nohost (add it with: engine host add nohost)');
  });
});

describe('engine node inspect', () => {
  const cli = new TestCli();
  beforeAll(() => given(cli, FIVE_NODES + 'host crash worker2\nadvance 20s\nnode update --label-add zone=a worker1\n'));
  afterAll(() => cli.cleanup());

  it('prints Docker\'s JSON array: ID, Version, dates, Spec, Description, Status, ManagerStatus', async () => {
    const [m1] = JSON.parse(await cli.ok('node', 'inspect', 'manager1')) as Record<string, any>[];
    expect(Object.keys(m1!)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Description', 'Status', 'ManagerStatus']);
    expect(m1!.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(m1!.Version.Index).toEqual(expect.any(Number));
    expect(m1!.CreatedAt).toBe('2026-01-01T09:00:00Z');
    expect(m1!.Spec).toEqual({ Labels: {}, Role: 'manager', Availability: 'active' });
    expect(m1!.Description).toMatchObject({
      Hostname: 'manager1', Platform: { Architecture: 'x86_64', OS: 'linux' }, Resources: { NanoCPUs: 2e9, MemoryBytes: 8589934592 },
      Engine: { EngineVersion: '28.2.2' },
    });
    expect(m1!.Description.TLSInfo.TrustRoot).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(m1!.Status).toEqual({ State: 'ready', Addr: '192.168.99.100' });
    expect(m1!.ManagerStatus).toEqual({ Leader: true, Reachability: 'reachable', Addr: '192.168.99.100:2377' });
  });

  it('workers have no ManagerStatus; a down node shows its message; labels are in Spec', async () => {
    const nodes = JSON.parse(await cli.ok('node', 'inspect', 'worker1', 'worker2', 'manager2')) as Record<string, any>[];
    expect(nodes.map((n) => n.Description.Hostname)).toEqual(['worker1', 'worker2', 'manager2']);
    expect(nodes[0]!.ManagerStatus).toBeUndefined();
    expect(nodes[0]!.Spec).toEqual({ Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' });
    expect(nodes[1]!.Status).toEqual({ State: 'down', Message: 'heartbeat failure', Addr: '192.168.99.104' });
    expect(nodes[1]!.UpdatedAt).toBe('2026-01-01T09:00:15Z');
    expect(nodes[2]!.ManagerStatus).toEqual({ Reachability: 'reachable', Addr: '192.168.99.101:2377' });
  });

  it('`self` is the node the command is typed on; unknown nodes are refused; --pretty is text', async () => {
    const [self] = JSON.parse(await cli.ok('--on', 'manager3', 'node', 'inspect', 'self')) as Record<string, any>[];
    expect(self!.Description.Hostname).toBe('manager3');
    // As docker/cli's inspect: the nodes found (none: `[]`), then one error per reference not found; nothing appended.
    const before = (await cli.ok('state', '--hash')).trim();
    const r = await cli.run('node', 'inspect', 'nope');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '[]\n', 'Error: Error response from daemon: node nope not found\n']);
    const two = await cli.run('node', 'inspect', 'manager1', 'nope', '-f', '{{.Description.Hostname}}');
    expect([two.code, two.stdout, two.stderr]).toEqual([1, 'manager1\n', 'Error: Error response from daemon: node nope not found\n']);
    expect((await cli.ok('state', '--hash')).trim()).toBe(before);
    const pretty = await cli.ok('node', 'inspect', '--pretty', 'manager1');
    expect(pretty).toMatch(/^ID:\t\t\t[0-9a-z]{25}\nHostname:\t\tmanager1\n/);
    expect(pretty).toContain('Manager Status:\n Address:\t\t192.168.99.100:2377\n Raft Status:\t\tReachable\n Leader:\t\tYes\n');
    expect(pretty).toContain(' Memory:\t\t8GiB\n');
  });
});

describe('engine node update / promote / demote / rm', () => {
  let cli: TestCli;
  beforeEach(async () => {
    cli = new TestCli();
    await given(cli, FIVE_NODES);
  });
  afterEach(() => cli.cleanup());

  it('--availability drain|pause|active shows in node ls; the command echoes the node', async () => {
    expect(await cli.ok('node', 'update', '--availability', 'drain', 'worker1')).toBe('worker1\n');
    expect(await cli.ok('node', 'update', '--availability', 'pause', 'worker2')).toBe('worker2\n');
    const rows = await nodeRows(cli);
    expect(rows.map((r) => [r.Hostname, r.Availability])).toEqual([
      ['manager1', 'Active'], ['manager2', 'Active'], ['manager3', 'Active'], ['worker1', 'Drain'], ['worker2', 'Pause'],
    ]);
    expect(await refused(cli, 'node', 'update', '--availability', 'sleepy', 'worker1')).toBe('Error: Error response from daemon: invalid Availability: "sleepy"');
  });

  it('--label-add and --label-rm; removing a missing key is refused', async () => {
    await cli.ok('node', 'update', '--label-add', 'zone=a', '--label-add', 'ssd', 'worker1');
    const spec = async () => (JSON.parse(await cli.ok('node', 'inspect', 'worker1')) as Record<string, any>[])[0]!.Spec.Labels;
    expect(await spec()).toEqual({ zone: 'a', ssd: '' });
    await cli.ok('node', 'update', '--label-rm', 'ssd', '--label-add', 'zone=b', 'worker1');
    expect(await spec()).toEqual({ zone: 'b' });
    expect(await refused(cli, 'node', 'update', '--label-rm', 'rack', 'worker1')).toBe("Error: key rack doesn't exist in node's labels");
    expect(await refused(cli, 'node', 'update', '--label-rm', 'zone', 'nope')).toBe('Error: Error response from daemon: node nope not found');
  });

  it('promote and demote, with Docker\'s messages', async () => {
    expect(await cli.ok('node', 'promote', 'worker1')).toBe('Node worker1 promoted to a manager in the swarm.\n');
    expect((await nodeRows(cli)).find((r) => r.Hostname === 'worker1')!.ManagerStatus).toBe('Reachable');
    expect(await cli.ok('node', 'promote', 'worker1')).toBe('Node worker1 is already a manager.\n');
    expect(await cli.ok('node', 'demote', 'worker1', 'manager3')).toBe('Manager worker1 demoted in the swarm.\nManager manager3 demoted in the swarm.\n');
    expect(await cli.ok('node', 'demote', 'worker1')).toBe('Node worker1 is already a worker.\n');
    expect((await nodeRows(cli)).filter((r) => r.ManagerStatus !== '').map((r) => r.Hostname)).toEqual(['manager1', 'manager2']);
  });

  it('demoting the last manager, or into a loss of quorum, is refused', async () => {
    await cli.ok('host', 'crash', 'manager3');
    expect(await refused(cli, 'node', 'demote', 'manager2')).toBe(FP + "can't remove member from the raft: this would result in a loss of quorum");
    expect(await refused(cli, 'node', 'update', '--role', 'worker', 'manager2')).toBe(FP + "can't remove member from the raft: this would result in a loss of quorum");
    await cli.ok('node', 'demote', 'manager3');
    await cli.ok('node', 'demote', 'manager2');
    expect(await refused(cli, 'node', 'demote', 'manager1')).toBe(FP + 'attempting to demote the last manager of the swarm');
  });

  it('rm: a live node needs --force, a manager must be demoted, a down node goes', async () => {
    const rows = await nodeRows(cli);
    const id = (h: string) => rows.find((r) => r.Hostname === h)!.ID;
    expect(await refused(cli, 'node', 'rm', 'worker1')).toBe(`${FP}node ${id('worker1')} is not down and can't be removed`);
    expect(await refused(cli, 'node', 'rm', '--force', 'manager2'))
      .toBe(`${FP}node ${id('manager2')} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
    await cli.ok('host', 'crash', 'worker1');
    await cli.ok('advance', '20s');
    expect(await nodeStatus(cli, 'worker1')).toBe('Down');
    expect(await cli.ok('node', 'rm', 'worker1')).toBe('worker1\n');
    expect(await cli.ok('node', 'rm', '--force', 'worker2')).toBe('worker2\n');
    expect((await nodeRows(cli)).map((r) => r.Hostname)).toEqual(['manager1', 'manager2', 'manager3']);
    // The removed worker's machine is out of the swarm: it can join again.
    await cli.ok('host', 'boot', 'worker1');
    const t = (await cli.ok('swarm', 'join-token', '-q', 'worker')).trim();
    expect(await cli.ok('--on', 'worker1', 'swarm', 'join', '--token', t, 'manager1:2377')).toBe('This node joined a swarm as a worker.\n');
  });

  it('--on another manager: the `*` follows the typing host', async () => {
    const rows = await nodeRows(cli, '--on', 'manager2');
    expect(rows.filter((r) => r.Self).map((r) => r.Hostname)).toEqual(['manager2']);
    const table = await cli.ok('--on', 'manager2', 'node', 'ls');
    expect(table.split('\n').filter((l) => l.includes(' * '))).toHaveLength(1);
    expect(table).toMatch(/^[0-9a-z]{25} \* {3}manager2 /m);
  });
});
