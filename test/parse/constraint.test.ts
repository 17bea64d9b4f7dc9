/**
 * Placement constraints, parsed and matched as swarmkit does (manager/constraint/constraint.go; the
 * parse and match cases are swarmkit's own TestParse and TestMatch in constraint_test.go), plus the
 * node keys of NodeMatches: node.id, node.hostname, node.role, node.platform.*, node.ip,
 * node.labels.*, engine.labels.*; any other key never matches, even with !=.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { matches, matchesAll, parseConstraint, type Constraint } from '../../src/controllers/scheduler/constraints.js';
import { evolveAll, initialState } from '../../src/state/index.js';
import { tget } from '../../src/state/table.js';

function parsed(c: string): Constraint {
  const r = parseConstraint(c);
  if (typeof r === 'string') throw new Error(`${c}: ${r}`);
  return r;
}

describe('parseConstraint (swarmkit TestParse)', () => {
  it.each<[string, string]>([
    ['', 'constraint expected one operator from ==, !='],
    [' ', 'constraint expected one operator from ==, !='],
    ['nodeabc', 'constraint expected one operator from ==, !='],
    ['node ~ abc', 'constraint expected one operator from ==, !='],
    ['node.labels.zone=a', 'constraint expected one operator from ==, !='],
    ['1node==a2', "key '1node' is invalid"],
    ['no de== node1', "key 'no de' is invalid"],
    ['no*de==node1', "key 'no*de' is invalid"],
    ['==node1', "key '' is invalid"],
    ['n==x', "key 'n' is invalid"],
    ['node==', "value '' is invalid"],
    ['node== ', "value '' is invalid"],
    ['no$de==node1', "key 'no$de' is invalid"],
    ['node==a=b', "value 'a=b' is invalid"],
    ['node==a,b', "value 'a,b' is invalid"],
    ['node==<a>', "value '<a>' is invalid"],
    ['node==!a', "value '!a' is invalid"],
  ])('%j is refused: %s', (c, message) => {
    expect(parseConstraint(c)).toBe(message);
  });

  it('trims around the operator; keys may have caps, dots and a leading underscore', () => {
    expect(parsed(' node == node1')).toEqual({ key: 'node', op: '==', exp: 'node1' });
    expect(parsed('NoDe==node1').key).toBe('NoDe');
    expect(parsed('no.de==node1').key).toBe('no.de');
    expect(parsed('_node==_node1').key).toBe('_node');
  });

  it('values may hold regex-looking characters and spaces, taken literally', () => {
    expect(parsed('node==[a-b]+c*(n|b)/')).toMatchObject({ key: 'node', exp: '[a-b]+c*(n|b)/' });
    expect(parsed('node==node 1').exp).toBe('node 1');
  });

  it('== is tried before !=, splitting at the first occurrence', () => {
    expect(parsed('node.role!=worker')).toMatchObject({ op: '!=', exp: 'worker' });
    expect(parseConstraint('a!=b==c')).toBe("key 'a!=b' is invalid");
  });
});

// A swarm of two nodes built from events: m1 (manager, engine label disk=ssd, node labels zone=A, Rack=r1),
// w1 (worker, 10.1.2.3, aarch64, no labels).
const M1 = 'm1node0000000000000000001';
const W1 = 'w1node0000000000000000002';
const events: EngineEvent[] = [
  { type: 'LogInitialized', seed: 1, epochMs: Date.UTC(2026, 0, 1), engineVersion: '28.2.2' },
  { type: 'HostAdded', name: 'm1', ip: '192.168.99.100', nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: { disk: 'ssd' }, engineVersion: '28.2.2' },
  { type: 'HostAdded', name: 'w1', ip: '10.1.2.3', nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'aarch64', labels: {}, engineVersion: '28.2.2' },
  {
    type: 'SwarmInitialized', swarmId: 'swarm00000000000000000001', caDigest: 'ab'.repeat(32), workerTokenSealed: 'sealed-w',
    managerTokenSealed: 'sealed-m', nodeId: M1, host: 'm1', advertiseAddr: '192.168.99.100', dataPathAddr: '192.168.99.100',
    listenPort: 2377, availability: 'active', defaultAddrPool: ['10.0.0.0/8'], subnetSize: 24, dataPathPort: 4789, heartbeatPeriodMs: 5000, taskHistoryLimit: 5,
  },
  { type: 'NodeJoined', nodeId: W1, host: 'w1', role: 'worker', advertiseAddr: '10.1.2.3', dataPathAddr: '10.1.2.3', availability: 'active' },
  { type: 'NodeLabelsChanged', nodeId: M1, added: { zone: 'A', Rack: 'r1' }, removed: [] },
];
const s = evolveAll(initialState(), events);
const m1 = tget(s.nodes, M1)!;
const w1 = tget(s.nodes, W1)!;
const on = (c: string) => ({ m1: matches(s, m1, parsed(c)), w1: matches(s, w1, parsed(c)) });

describe('matching nodes (NodeMatches)', () => {
  it('compares whole strings case-insensitively, with no globbing (TestMatch)', () => {
    expect(on('node.hostname==M1')).toEqual({ m1: true, w1: false });
    expect(on('node.hostname==m')).toEqual({ m1: false, w1: false });
    expect(on('node.hostname==m*')).toEqual({ m1: false, w1: false });
    expect(on('node.hostname!=m1')).toEqual({ m1: false, w1: true });
  });

  it('node.role, node.id', () => {
    expect(on('node.role==worker')).toEqual({ m1: false, w1: true });
    expect(on('node.role==MANAGER')).toEqual({ m1: true, w1: false });
    expect(on(`node.id==${W1}`)).toEqual({ m1: false, w1: true });
    expect(on('node.id!=w1')).toEqual({ m1: true, w1: true });
  });

  it('node.labels.<name>: value case-insensitive, a missing label matches != (and never ==)', () => {
    expect(on('node.labels.zone==a')).toEqual({ m1: true, w1: false });
    expect(on('node.labels.zone!=a')).toEqual({ m1: false, w1: true });
    expect(on('node.labels.zone!=b')).toEqual({ m1: true, w1: true });
  });

  it('the label name after node.labels. is case-sensitive, the prefix is not', () => {
    expect(on('node.labels.Rack==r1')).toEqual({ m1: true, w1: false });
    expect(on('node.labels.rack==r1')).toEqual({ m1: false, w1: false });
    expect(on('NODE.LABELS.Rack==R1')).toEqual({ m1: true, w1: false });
  });

  it('engine.labels.<name> reads the daemon labels given to `host add --label`', () => {
    expect(on('engine.labels.disk==SSD')).toEqual({ m1: true, w1: false });
    expect(on('engine.labels.disk!=ssd')).toEqual({ m1: false, w1: true });
  });

  it('node.platform.* compares the reported values (x86_64, aarch64: no amd64 normalisation)', () => {
    expect(on('node.platform.os==linux')).toEqual({ m1: true, w1: true });
    expect(on('node.platform.arch==x86_64')).toEqual({ m1: true, w1: false });
    expect(on('node.platform.arch==amd64')).toEqual({ m1: false, w1: false });
    expect(on('node.platform.arch==aarch64')).toEqual({ m1: false, w1: true });
  });

  it('node.ip takes an address or a CIDR; a malformed one never matches, even with !=', () => {
    expect(on('node.ip==10.1.2.3')).toEqual({ m1: false, w1: true });
    expect(on('node.ip==10.0.0.0/8')).toEqual({ m1: false, w1: true });
    expect(on('node.ip!=10.0.0.0/8')).toEqual({ m1: true, w1: false });
    expect(on('node.ip==192.168.99.0/24')).toEqual({ m1: true, w1: false });
    expect(on('node.ip!=bogus')).toEqual({ m1: false, w1: false });
    expect(on('node.ip==10.0.0.0/33')).toEqual({ m1: false, w1: false });
  });

  it('an unknown key never matches, with == or != alike', () => {
    expect(on('node.abc==x')).toEqual({ m1: false, w1: false });
    expect(on('node.abc!=x')).toEqual({ m1: false, w1: false });
    expect(on('node.labels.!=x')).toEqual({ m1: false, w1: false });
    expect(on('engine.labels.!=x')).toEqual({ m1: false, w1: false });
  });

  it('object-prototype names are just missing labels', () => {
    expect(on('node.labels.constructor!=x')).toEqual({ m1: true, w1: true });
    expect(on('node.labels.toString==x')).toEqual({ m1: false, w1: false });
  });

  it('all constraints are ANDed', () => {
    expect(matchesAll(s, m1, [parsed('node.role==manager'), parsed('node.labels.zone==a')])).toBe(true);
    expect(matchesAll(s, m1, [parsed('node.role==manager'), parsed('node.labels.zone==b')])).toBe(false);
  });
});
