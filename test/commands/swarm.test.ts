/** docker swarm init / join / join-token / leave as pure deciders: state in, events or Docker's refusal out. */
import { describe, expect, it } from 'vitest';
import { joinSecret } from '../../src/commands/sealing.js';
import type { Swarm } from '../../src/state/types.js';
import type { EngineEvent } from '../../events/index.js';
import { NOT_A_MANAGER_WORKER, NO_LEADER, DAEMON_DOWN } from '../../src/commands/access.js';
import { Rejection } from '../../src/commands/rejection.js';
import {
  ALREADY_IN_SWARM, BAD_ADVERTISE_ADDR, BAD_DATA_PATH_ADDR, decideJoinTokenRotate, decideSwarmInit, decideSwarmJoin, decideSwarmLeave,
} from '../../src/commands/swarm.js';
import { joinToken, parseJoinToken, sha256Hex } from '../../src/sim/ids.js';
import { Prng } from '../../src/sim/prng.js';
import { TestEngine } from '../helpers/engine.js';

const ID = /^[0-9a-z]{25}$/;
const TOKEN = /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/;
const rng = () => new Prng(1, 1000);
const defaults = { defaultAddrPool: [] as string[], defaultAddrPoolMaskLength: 24 };

/** The message a decider refuses with (fails the test if it accepts). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Rejection) return e.message;
    throw e;
  }
  throw new Error('expected a refusal, the command was accepted');
}

function only<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }> {
  expect(events.map((e) => e.type)).toEqual([type]);
  return events[0] as Extract<EngineEvent, { type: T }>;
}

describe('swarm init', () => {
  it('makes a swarm, a CA digest and two token secrets, with swarmkit\'s ID formats and defaults', () => {
    const t = new TestEngine().addHosts('manager1');
    const e = only(decideSwarmInit(t.state, t.host('manager1'), defaults, rng()), 'SwarmInitialized');
    expect(e.swarmId).toMatch(ID);
    expect(e.nodeId).toMatch(ID);
    expect(e.nodeId).not.toBe(e.swarmId);
    expect(e.caDigest).toMatch(/^[0-9a-f]{64}$/);
    // The token secrets are sealed in the event (never in clear in the log); unsealed, swarmkit's format.
    const sw = { id: e.swarmId, caDigest: e.caDigest, workerTokenSealed: e.workerTokenSealed, managerTokenSealed: e.managerTokenSealed } as Swarm;
    expect(joinSecret(sw, 'worker')).toMatch(/^[0-9a-z]{25}$/);
    expect(joinSecret(sw, 'manager')).toMatch(/^[0-9a-z]{25}$/);
    expect(joinSecret(sw, 'worker')).not.toBe(joinSecret(sw, 'manager'));
    expect(JSON.stringify(e)).not.toContain(joinSecret(sw, 'worker'));
    expect(JSON.stringify(e)).not.toContain(joinSecret(sw, 'manager'));
    expect(e).toMatchObject({
      host: 'manager1', advertiseAddr: '192.168.99.100', dataPathAddr: '192.168.99.100', listenPort: 2377, availability: 'active',
      defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789, heartbeatPeriodMs: 5000, taskHistoryLimit: 5,
    });
    // Deterministic: the same PRNG stream gives the same swarm.
    expect(decideSwarmInit(t.state, t.host('manager1'), defaults, rng())).toEqual([e]);
  });

  it('tokens share the CA digest (50 base-36 characters) and differ in their secret', () => {
    const t = new TestEngine().addHosts('manager1');
    t.init('manager1');
    const worker = t.token('worker');
    const manager = t.token('manager');
    expect(worker).toMatch(TOKEN);
    expect(manager).toMatch(TOKEN);
    expect(parseJoinToken(worker)!.digest36).toBe(parseJoinToken(manager)!.digest36);
    expect(BigInt('0x' + t.state.swarm!.caDigest).toString(36).padStart(50, '0')).toBe(parseJoinToken(worker)!.digest36);
  });

  it('takes the advertise address (with a port), the data path address, availability and heartbeat', () => {
    const t = new TestEngine().addHosts('manager1');
    const e = only(decideSwarmInit(t.state, t.host('manager1'), {
      ...defaults, advertiseAddr: '10.1.2.3:4000', dataPathAddr: '10.9.9.9', availability: 'DRAIN', heartbeatMs: 2000,
    }, rng()), 'SwarmInitialized');
    expect(e).toMatchObject({ advertiseAddr: '10.1.2.3', listenPort: 4000, dataPathAddr: '10.9.9.9', availability: 'drain', heartbeatPeriodMs: 2000 });
    const eth0 = only(decideSwarmInit(t.state, t.host('manager1'), { ...defaults, advertiseAddr: 'eth0' }, rng()), 'SwarmInitialized');
    expect(eth0.advertiseAddr).toBe('192.168.99.100');
  });

  it('refuses with dockerd\'s messages', () => {
    const t = new TestEngine().addHosts('m1', 'm2', 'down1');
    const init = (host: string, input = {}) => refusal(() => decideSwarmInit(t.state, t.host(host), { ...defaults, ...input }, rng()));
    expect(init('m1', { advertiseAddr: '1.2.3' })).toBe(`Error response from daemon: ${BAD_ADVERTISE_ADDR}`);
    expect(init('m1', { dataPathAddr: '10.0.0.1:4789' })).toBe(`Error response from daemon: ${BAD_DATA_PATH_ADDR}`);
    expect(init('m1', { availability: 'sometimes' })).toBe('invalid availability "sometimes", only active, pause and drain are supported');
    expect(init('m1', { defaultAddrPool: ['10.0.0.0/33'] })).toBe('invalid argument "10.0.0.0/33" for "--default-addr-pool" flag: invalid CIDR address: 10.0.0.0/33');
    expect(init('m1', { defaultAddrPool: ['10.0.0.0/8'], defaultAddrPoolMaskLength: 30 }))
      .toBe('Error response from daemon: rpc error: code = InvalidArgument desc = invalid SubnetSize 30 for pool 10.0.0.0/8');
    t.crash('down1');
    expect(init('down1')).toBe(DAEMON_DOWN);
    t.init('m1');
    expect(init('m1')).toBe(`Error response from daemon: ${ALREADY_IN_SWARM}`);
    expect(init('m2')).toMatch(/^the engine simulates one swarm, and it already exists: join it from m2 with `swarm join`$/);
  });
});

describe('swarm join', () => {
  const setup = () => {
    const t = new TestEngine().addHosts('manager1', 'manager2', 'worker1', 'worker2');
    t.init('manager1');
    return t;
  };
  const join = (t: TestEngine, host: string, token: string, remote = '192.168.99.100:2377', extra = {}) =>
    decideSwarmJoin(t.state, t.host(host), { token, remote, ...extra }, rng());

  it('the token alone decides the role; the new node gets a fresh 25-character ID', () => {
    const t = setup();
    const w = only(join(t, 'worker1', t.token('worker')), 'NodeJoined');
    expect(w).toMatchObject({ host: 'worker1', role: 'worker', advertiseAddr: '192.168.99.102', availability: 'active' });
    expect(w.nodeId).toMatch(ID);
    expect(w.nodeId).not.toBe(t.node('manager1').id);
    expect(only(join(t, 'manager2', t.token('manager'), 'manager1:2377'), 'NodeJoined').role).toBe('manager');
  });

  it('refuses a token that does not parse, one of another swarm, and a rotated one', () => {
    const t = setup();
    const tok = t.token('worker');
    const [, , digest, secret] = tok.split('-');
    for (const bad of ['nonsense', `SWMTKN-1-${'_'.repeat(50)}-${secret}`, `SWMTKN-1-${'é'.repeat(50)}-${secret}`, `SWMTKN-2-${digest}-${secret}`, `SWMTKN-1-${digest}-${secret}x`, `SWMTKN-1-${digest!.slice(1)}-${secret}`, `${tok}-extra`]) {
      expect(refusal(() => join(t, 'worker1', bad))).toBe('Error response from daemon: invalid join token');
    }
    // A token of another swarm: swarmkit prints the digest the token expects, in hex.
    const otherCa = sha256Hex('another root CA');
    expect(refusal(() => join(t, 'worker1', joinToken(otherCa, secret!))))
      .toBe(`Error response from daemon: remote CA does not match fingerprint. Expected: ${otherCa}`);
    t.batch((s, r) => decideJoinTokenRotate(s, t.host('manager1'), 'worker', r));
    expect(t.token('worker')).not.toBe(tok);
    expect(refusal(() => join(t, 'worker1', tok)))
      .toBe('Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster');
    expect(only(join(t, 'worker1', t.token('worker')), 'NodeJoined').role).toBe('worker');
  });

  it('refuses to join twice, through a non-manager, or while the swarm has no leader', () => {
    const t = setup();
    t.join('worker1', 'worker');
    expect(refusal(() => join(t, 'worker1', t.token('worker')))).toBe(`Error response from daemon: ${ALREADY_IN_SWARM}`);
    expect(refusal(() => join(t, 'worker2', t.token('worker'), 'worker1:2377'))).toMatch(/^Error response from daemon: Timeout was reached before node joined\./);
    expect(refusal(() => join(t, 'worker2', t.token('worker'), '192.168.99.100:2378'))).toMatch(/Timeout was reached/);
    t.crash('manager1');
    expect(refusal(() => join(t, 'worker2', t.token('worker')))).toMatch(/Timeout was reached/); // the remote is down
  });

  it('an unresolvable advertise address is ignored (the manager sees the node\'s address); a bad data path address is not', () => {
    const t = setup();
    expect(only(join(t, 'worker1', t.token('worker'), undefined, { advertiseAddr: 'bogus' }), 'NodeJoined').advertiseAddr).toBe('192.168.99.102');
    expect(refusal(() => join(t, 'worker1', t.token('worker'), undefined, { dataPathAddr: 'bogus' }))).toBe(`Error response from daemon: ${BAD_DATA_PATH_ADDR}`);
    expect(refusal(() => join(t, 'worker1', t.token('worker'), undefined, { availability: 'off' })))
      .toBe('invalid availability "off", only active, pause and drain are supported');
  });

  it('with the leader lost but a manager left to talk to, joining waits for a leader', () => {
    const t = new TestEngine().addHosts('m1', 'm2', 'm3', 'w1');
    t.init('m1');
    t.join('m2', 'manager');
    t.join('m3', 'manager');
    t.crash('m1');
    expect(refusal(() => join(t, 'w1', t.token('worker'), 'm2:2377'))).toBe(`Error response from daemon: ${NO_LEADER}`);
  });
});

describe('swarm join-token --rotate', () => {
  it('replaces one role\'s secret; a worker cannot rotate', () => {
    const t = new TestEngine().addHosts('m1', 'w1');
    t.init('m1');
    t.join('w1', 'worker');
    const before = { worker: t.token('worker'), manager: t.token('manager') };
    const e = only(decideJoinTokenRotate(t.state, t.host('m1'), 'manager', rng()), 'JoinTokenRotated');
    expect(e.role).toBe('manager');
    t.emit(e);
    const secret = joinSecret(t.state.swarm!, 'manager');
    expect(secret).toMatch(/^[0-9a-z]{25}$/);
    expect(JSON.stringify(e)).not.toContain(secret);
    expect(t.token('manager')).not.toBe(before.manager);
    expect(t.token('manager')).toBe(joinToken(t.state.swarm!.caDigest, secret));
    expect(t.token('worker')).toBe(before.worker);
    expect(refusal(() => decideJoinTokenRotate(t.state, t.host('w1'), 'worker', rng()))).toBe(`Error response from daemon: ${NOT_A_MANAGER_WORKER}`);
  });
});

describe('swarm leave', () => {
  it('a worker leaves; a manager needs --force, with moby\'s warnings', () => {
    const t = new TestEngine().addHosts('m1', 'm2', 'm3', 'w1', 'solo');
    t.init('m1');
    t.join('w1', 'worker');
    expect(decideSwarmLeave(t.state, t.host('w1'), false)).toEqual([{ type: 'NodeLeft', nodeId: t.node('w1').id, host: 'w1' }]);
    const base = 'Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager. ';
    const tail = 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';
    expect(refusal(() => decideSwarmLeave(t.state, t.host('m1'), false)))
      .toBe(base + 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ');
    t.join('m2', 'manager');
    expect(refusal(() => decideSwarmLeave(t.state, t.host('m2'), false)))
      .toBe(base + 'Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. ' + tail);
    t.join('m3', 'manager');
    expect(refusal(() => decideSwarmLeave(t.state, t.host('m3'), false))).toBe(base + tail);
    expect(decideSwarmLeave(t.state, t.host('m3'), true)).toEqual([{ type: 'NodeLeft', nodeId: t.node('m3').id, host: 'm3' }]);
    expect(refusal(() => decideSwarmLeave(t.state, t.host('solo'), false))).toBe('Error response from daemon: This node is not part of a swarm');
  });

  it('a manager forced out stays an unreachable Raft member: with one more down, the leader steps down', () => {
    const t = TestEngine.cluster(['m1', 'm2', 'm3']);
    t.crash('m3');
    const batch = t.batch((s) => decideSwarmLeave(s, t.host('m2'), true));
    // The membership and Raft reactions (the network agent's teardown of m2's sandboxes rides along).
    expect(batch.map((e) => e.type).filter((t) => /^(Node|Raft)/.test(t))).toEqual(['NodeLeft', 'RaftStepDownScheduled']);
    t.advance(10_000);
    expect(t.leader()).toBeUndefined();
  });
});
