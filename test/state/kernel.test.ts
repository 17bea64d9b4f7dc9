/**
 * The kernel slice: a veth pair is one VethCreated, reduced as two links; connected routes are not
 * recorded but derived from the links' addresses by the views (`ip route`).
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../events/index.js';
import { stateHash } from '../../src/state/hash.js';
import { tget } from '../../src/state/table.js';
import { ipRoute, routesIn } from '../../src/net/views.js';
import { describe as describeEvent } from '../../src/timetravel/describe.js';
import { given, hostAdded, logInitialized, stateOf } from '../helpers/events.js';

const W1 = 'w1';
const OVL = '1-4zfwp7qd16';
const LB = 'lb_4zfwp7qd1';

/** w1 with an overlay namespace (br0, vxlan0) and a load-balancer sandbox, before its veth pair. */
const base = (): EngineEvent[] => [
  logInitialized(), hostAdded(W1, '192.168.99.101'),
  { type: 'NetnsCreated', host: W1, netns: OVL },
  { type: 'LinkCreated', host: W1, netns: OVL, name: 'br0', kind: 'bridge', ifIndex: 2, mtu: 1450, mac: '02:42:00:00:00:01', peer: 0, master: '' },
  { type: 'LinkCreated', host: W1, netns: OVL, name: 'vxlan0', kind: 'vxlan', ifIndex: 10, mtu: 1450, mac: '02:42:00:00:00:02', peer: 4097, master: 'br0' },
  { type: 'NetnsCreated', host: W1, netns: LB },
];

const veth: EngineEvent = {
  type: 'VethCreated', host: W1, mtu: 1450,
  outer: { netns: OVL, name: 'veth0', ifIndex: 12, mac: '02:42:00:00:00:03', master: 'br0' },
  inner: { netns: LB, name: 'eth0', ifIndex: 11, mac: '02:42:0a:00:01:04', master: '' },
};

describe('VethCreated', () => {
  it('creates both ends as veth links, each the other’s peer, the outer end enslaved to its bridge', () => {
    given(...base()).when(veth).then((s) => {
      expect(tget(s.links, `${W1}/${OVL}/veth0`)).toEqual({
        host: W1, netns: OVL, name: 'veth0', kind: 'veth', ifIndex: 12, mtu: 1450, mac: '02:42:00:00:00:03', peer: 11, master: 'br0', addrs: [],
      });
      expect(tget(s.links, `${W1}/${LB}/eth0`)).toEqual({
        host: W1, netns: LB, name: 'eth0', kind: 'veth', ifIndex: 11, mtu: 1450, mac: '02:42:0a:00:01:04', peer: 12, master: '', addrs: [],
      });
      expect(tget(s.netns, `${W1}/${OVL}`)!.links).toEqual(['br0', 'vxlan0', 'veth0']);
      expect(tget(s.netns, `${W1}/${LB}`)!.links).toEqual(['eth0']);
      // The host's next ifindex moves past both ends.
      expect(tget(s.hosts, W1)!.nextIfIndex).toBe(13);
    });
  });

  it('gives the same state as the two LinkCreated a veth pair used to be recorded as (outer end first)', () => {
    const pair: EngineEvent[] = [
      { type: 'LinkCreated', host: W1, netns: OVL, name: 'veth0', kind: 'veth', ifIndex: 12, mtu: 1450, mac: '02:42:00:00:00:03', peer: 11, master: 'br0' },
      { type: 'LinkCreated', host: W1, netns: LB, name: 'eth0', kind: 'veth', ifIndex: 11, mtu: 1450, mac: '02:42:0a:00:01:04', peer: 12, master: '' },
    ];
    expect(stateHash(stateOf([...base(), veth]))).toBe(stateHash(stateOf([...base(), ...pair])));
  });

  it('an end whose name is taken in its namespace breaks the invariant', () => {
    given(...base(), veth).when({ ...veth, outer: { ...veth.outer, ifIndex: 14 }, inner: { ...veth.inner, netns: OVL, name: 'veth1', ifIndex: 13 } })
      .violates(`link veth0 is new in ${OVL} of ${W1}`);
  });

  it('is described on one line naming both ends', () => {
    const s = stateOf(base());
    expect(describeEvent(veth, s)).toBe(`w1: veth veth0@if11 (index 12) in ${OVL}, master br0 ⇄ eth0@if12 (index 11) in ${LB}`);
    const host: EngineEvent = { ...veth, outer: { ...veth.outer, netns: '', name: 'veth9230435', master: 'docker_gwbridge' } };
    expect(describeEvent(host, s)).toBe(`w1: veth veth9230435@if11 (index 12) in the root namespace, master docker_gwbridge ⇄ eth0@if12 (index 11) in ${LB}`);
  });
});

describe('connected routes', () => {
  const SB = '59a6d8508688';
  /** A task's sandbox: eth0 on an overlay, eth1 on docker_gwbridge with the default route. */
  const sandbox = (): EngineEvent[] => [
    logInitialized(), hostAdded(W1, '192.168.99.101'),
    { type: 'LinkCreated', host: W1, netns: '', name: 'docker_gwbridge', kind: 'bridge', ifIndex: 4, mtu: 1500, mac: '02:42:00:00:00:09', peer: 0, master: '' },
    { type: 'AddressAssigned', host: W1, netns: '', ifName: 'docker_gwbridge', cidr: '172.18.0.1/16' },
    { type: 'NetnsCreated', host: W1, netns: SB },
    { type: 'VethCreated', host: W1, mtu: 1450, outer: { netns: OVL, name: 'veth1', ifIndex: 18, mac: '02:42:00:00:00:05', master: 'br0' }, inner: { netns: SB, name: 'eth0', ifIndex: 17, mac: '02:42:0a:00:01:03', master: '' } },
    { type: 'AddressAssigned', host: W1, netns: SB, ifName: 'eth0', cidr: '10.0.1.3/24' },
    { type: 'VethCreated', host: W1, mtu: 1500, outer: { netns: '', name: 'vetheef6700', ifIndex: 20, mac: '02:42:00:00:00:06', master: 'docker_gwbridge' }, inner: { netns: SB, name: 'eth1', ifIndex: 19, mac: '02:42:ac:12:00:04', master: '' } },
    { type: 'AddressAssigned', host: W1, netns: SB, ifName: 'eth1', cidr: '172.18.0.4/16' },
    { type: 'RouteAdded', host: W1, netns: SB, dst: 'default', via: '172.18.0.1', dev: 'eth1', src: '' },
  ];

  it('are derived from the addresses: only the default route is recorded, `ip route` shows all three', () => {
    const s = stateOf(sandbox());
    expect(s.routes.n).toBe(1);
    expect(ipRoute(s, W1, SB)).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.4 \n');
    expect(routesIn(s, W1, SB)[1]).toEqual({ host: W1, netns: SB, dst: '10.0.1.0/24', via: '', dev: 'eth0', src: '10.0.1.3' });
    // The bridge's gateway address gives the host its route to the bridge's subnet.
    expect(ipRoute(s, W1, '')).toBe('172.18.0.0/16 dev docker_gwbridge scope link  src 172.18.0.1 \n');
  });

  it('a /32 (a VIP alias) gives none; an address leaving takes its route along', () => {
    given(...sandbox()).when({ type: 'AddressAssigned', host: W1, netns: SB, ifName: 'eth0', cidr: '10.0.1.2/32' }).then((s) => {
      expect(ipRoute(s, W1, SB)).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.4 \n');
    });
    given(...sandbox()).when({ type: 'AddressUnassigned', host: W1, netns: SB, ifName: 'eth0', cidr: '10.0.1.3/24' }).then((s) => {
      expect(ipRoute(s, W1, SB)).toBe('default via 172.18.0.1 dev eth1 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.4 \n');
    });
  });

  it('removing the endpoint’s interface removes its connected route; the explicit default route goes by RouteRemoved', () => {
    given(...sandbox()).when(
      { type: 'RouteRemoved', host: W1, netns: SB, dst: 'default', dev: 'eth1' },
      { type: 'LinkRemoved', host: W1, netns: SB, name: 'eth1' },
      { type: 'LinkRemoved', host: W1, netns: '', name: 'vetheef6700' },
    ).then((s) => {
      expect(s.routes.n).toBe(0);
      expect(ipRoute(s, W1, SB)).toBe('10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n');
    });
    given(...sandbox()).when({ type: 'LinkRemoved', host: W1, netns: SB, name: 'eth0' }).then((s) => {
      expect(ipRoute(s, W1, SB)).toBe('default via 172.18.0.1 dev eth1 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.4 \n');
    });
  });
});
