/** `engine host …`: simulated machines, their resources as `docker node inspect` reports them. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { given, refused } from '../helpers/refuse.js';

let cli: TestCli;
beforeEach(() => {
  cli = new TestCli();
});
afterEach(() => cli.cleanup());

describe('engine host', () => {
  it('add echoes the name; ls lists machines naturally sorted with their addresses', async () => {
    expect(await cli.ok('host', 'add', 'node10')).toBe('node10\n');
    await cli.ok('host', 'add', 'node2', '--ip', '10.0.0.2');
    await cli.ok('host', 'add', 'node1');
    await cli.ok('host', 'crash', 'node10');
    // The n-th host added without --ip gets 192.168.99.(100+n), whatever the others took.
    expect(await cli.ok('host', 'ls')).toBe([
      'NAME      IP               STATE     PLATFORM       CPUS      MEMORY    SWARM NODE',
      'node1     192.168.99.102   up        linux/x86_64   2         8192MiB   ',
      'node2     10.0.0.2         up        linux/x86_64   2         8192MiB   ',
      'node10    192.168.99.100   down      linux/x86_64   2         8192MiB   ',
      '',
    ].join('\n'));
  });

  it('resources, platform and engine labels show in node inspect', async () => {
    await given(cli, 'host add big --cpus 1.5 --memory 4GiB --platform linux/arm64 --label disk=ssd --label zone=b\n--on big swarm init');
    const [n] = JSON.parse(await cli.ok('node', 'inspect', 'self'));
    expect(n.Description).toMatchObject({
      Hostname: 'big', Platform: { Architecture: 'aarch64', OS: 'linux' }, Resources: { NanoCPUs: 1_500_000_000, MemoryBytes: 4 * 1024 ** 3 },
      Engine: { EngineVersion: '28.2.2', Labels: { disk: 'ssd', zone: 'b' } },
    });
    expect(await refused(cli, 'host', 'add', 'big')).toBe('Error: host big already exists');
  });

  it('crash and boot are recorded as events and change what docker commands can reach', async () => {
    await given(cli, 'host add m1\n--on m1 swarm init');
    expect(await cli.ok('host', 'crash', 'm1')).toBe('m1\n');
    expect(await refused(cli, '--on', 'm1', 'node', 'ls')).toBe('Error: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
    expect(await cli.ok('host', 'boot', 'm1')).toBe('m1\n');
    const types = (await cli.ok('log', '--json')).split('\n').filter(Boolean).map((l) => JSON.parse(l).type);
    // The only manager: its crash loses the leader for good; its boot brings back a quorum of one, and an election.
    expect(types.slice(-4)).toEqual(['HostCrashed', 'RaftLeaderLost', 'HostBooted', 'RaftElectionScheduled']);
    expect(await refused(cli, 'node', 'ls')).toMatch(/The swarm does not have a leader/);
    await cli.ok('advance', '20s');
    expect(await cli.ok('node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}')).toBe('m1 Ready Leader\n');
  });
});
