/** Simulation commands for machines, and where docker commands are typed (access rules). */
import { describe, expect, it } from 'vitest';
import { DAEMON_DOWN, NO_LEADER, NOT_A_MANAGER_WORKER, NOT_IN_SWARM, requireManager, typedOn } from '../../src/commands/access.js';
import { decideHostAdd, decideHostBoot, decideHostCrash, type HostAddInput } from '../../src/commands/hosts.js';
import { Rejection } from '../../src/commands/rejection.js';
import { initialState } from '../../src/state/index.js';
import { TestEngine } from '../helpers/engine.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Rejection) return e.message;
    throw e;
  }
  throw new Error('expected a refusal, the command was accepted');
}

const input = (name: string, ip?: string): HostAddInput => ({ name, ip, nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: '28.2.2' });

describe('host add / crash / boot', () => {
  it('hosts get docker-machine addresses 192.168.99.100, .101, … skipping ones taken', () => {
    const t = new TestEngine();
    t.emit(...decideHostAdd(t.state, input('a')));
    t.emit(...decideHostAdd(t.state, input('b', '192.168.99.101')));
    expect(decideHostAdd(t.state, input('c'))).toMatchObject([{ type: 'HostAdded', name: 'c', ip: '192.168.99.102' }]);
    expect(t.host('a').ip).toBe('192.168.99.100');
  });

  it('refuses bad names, duplicate names and IPs, malformed IPs', () => {
    const t = new TestEngine().addHosts('manager1');
    expect(refusal(() => decideHostAdd(t.state, input('manager1')))).toBe('host manager1 already exists');
    expect(refusal(() => decideHostAdd(t.state, input('x', '192.168.99.100')))).toBe('IP address 192.168.99.100 is already used by host manager1');
    for (const ip of ['999.1.1.1', '10.0.0', '10.0.0.01', 'a.b.c.d', '10.0.0.1/24']) {
      expect(refusal(() => decideHostAdd(t.state, input('x', ip)))).toBe(`invalid IP address: ${ip}`);
    }
    expect(refusal(() => decideHostAdd(t.state, input('-bad')))).toMatch(/^invalid host name "-bad"/);
    expect(decideHostAdd(t.state, input('Node.Upper_1'))).toHaveLength(1); // case kept
  });

  it('crash needs an up host, boot a down one', () => {
    const t = new TestEngine().addHosts('m1');
    expect(refusal(() => decideHostBoot(t.state, 'm1'))).toBe('host m1 is already up');
    expect(refusal(() => decideHostCrash(t.state, 'ghost'))).toBe('no such host: ghost');
    t.crash('m1');
    expect(refusal(() => decideHostCrash(t.state, 'm1'))).toBe('host m1 is already down');
    expect(decideHostBoot(t.state, 'm1')).toEqual([{ type: 'HostBooted', name: 'm1' }]);
  });
});

describe('where a docker command is typed', () => {
  it('--on HOST, else the leader, else an up manager, else the first host', () => {
    expect(refusal(() => typedOn(initialState(), null))).toBe('there are no hosts yet: add one with `engine host add NAME`');
    const t = new TestEngine().addHosts('w0', 'm1', 'm2', 'm3');
    expect(typedOn(t.state, null).name).toBe('w0');
    t.init('m1');
    t.join('m2', 'manager');
    t.join('m3', 'manager');
    expect(typedOn(t.state, null).name).toBe('m1');
    expect(typedOn(t.state, 'm3').name).toBe('m3');
    expect(refusal(() => typedOn(t.state, 'nohost'))).toBe('no such host: nohost (add it with: engine host add nohost)');
    t.crash('m1');
    expect(typedOn(t.state, null).name).toBe('m2'); // leaderless: the first up manager
  });

  it('manager-only commands: a running daemon, in the swarm, a manager, and a leader', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3'], ['w1']);
    t.addHosts('outsider');
    expect(requireManager(t.state, t.host('m2')).hostname).toBe('m2');
    expect(refusal(() => requireManager(t.state, t.host('w1')))).toBe(`Error response from daemon: ${NOT_A_MANAGER_WORKER}`);
    expect(refusal(() => requireManager(t.state, t.host('outsider')))).toBe(`Error response from daemon: ${NOT_IN_SWARM}`);
    t.crash('m1');
    expect(refusal(() => requireManager(t.state, t.host('m1')))).toBe(DAEMON_DOWN);
    expect(refusal(() => requireManager(t.state, t.host('m2')))).toBe(
      "Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.");
    expect(NO_LEADER).toMatch(/^rpc error: code = Unknown desc = The swarm does not have a leader\./);
  });
});
