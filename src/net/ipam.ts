/**
 * IPAM as libnetwork does it: subnets first-fit from the default pools (local: 172.17/16 … then
 * 192.168/16 in /20s; swarm: 10.0.0.0/8 in /24s, or the swarm's --default-addr-pool), gateways at .1,
 * addresses serial on swarm networks (a released address is not reused until the cursor wraps) and
 * lowest-free on local bridges. Pure functions over integer addresses.
 */
import { intToIp, ipToInt, parseCidr } from '../commands/units.js';

export interface Cidr {
  base: number;
  bits: number;
}

export const cidrSize = (c: Cidr): number => 2 ** (32 - c.bits);
export const cidrString = (c: Cidr): string => `${intToIp(c.base)}/${c.bits}`;

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + cidrSize(c);
}

/** Splits `pool` into subnets of `/bits`. */
function* split(pool: Cidr, bits: number): Generator<Cidr> {
  const step = 2 ** (32 - bits);
  for (let b = pool.base; b < pool.base + cidrSize(pool); b += step) yield { base: b, bits };
}

/** libnetwork's local default pools, in order (ipamutils). */
export function* localPools(): Generator<Cidr> {
  for (const p of ['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16']) yield parseCidr(p)!;
  for (const p of ['172.20.0.0/14', '172.24.0.0/14', '172.28.0.0/14']) yield* split(parseCidr(p)!, 16);
  yield* split(parseCidr('192.168.0.0/16')!, 20);
}

/** The swarm's global pools: each --default-addr-pool split by the mask length. */
export function* globalPools(pools: string[], bits: number): Generator<Cidr> {
  for (const p of pools) yield* split(parseCidr(p)!, bits);
}

/** First-fit: the first candidate that overlaps nothing in use. */
export function firstFit(candidates: Iterable<Cidr>, used: Cidr[]): Cidr | null {
  for (const c of candidates) if (!used.some((u) => overlaps(u, c))) return c;
  return null;
}

/** An address pool's cursor state, kept in the network record. */
export interface PoolState {
  /** Serial pools: the next offset to try; local pools: the lowest never-used offset. */
  next: number;
  /** Local pools: released offsets, reused lowest first. */
  released: number[];
}

/**
 * The next free address of a network. `serial`: libnetwork's swarm allocator (cursor moves on, wraps);
 * otherwise the lowest free. `used(ip)` says whether an address is taken. Amortised O(1).
 */
export function nextAddress(subnet: Cidr, range: Cidr | null, pool: PoolState, serial: boolean, used: (ip: number) => boolean): { ip: number; pool: PoolState } | null {
  const r = range ?? subnet;
  const lo = Math.max(r.base, subnet.base + 1);
  const hi = Math.min(r.base + cidrSize(r), subnet.base + cidrSize(subnet) - 1); // exclusive; broadcast excluded
  if (!serial) {
    const released = [...pool.released].sort((a, b) => a - b);
    while (released.length) {
      const o = released.shift()!;
      if (!used(o)) return { ip: o, pool: { next: pool.next, released } };
    }
    for (let o = Math.max(pool.next, lo); o < hi; o++) if (!used(o)) return { ip: o, pool: { next: o + 1, released } };
    return null;
  }
  const span = hi - lo;
  if (span <= 0) return null;
  let o = pool.next < lo || pool.next >= hi ? lo : pool.next;
  for (let i = 0; i < span; i++, o = o + 1 >= hi ? lo : o + 1) {
    if (!used(o)) return { ip: o, pool: { next: o + 1 >= hi ? lo : o + 1, released: [] } };
  }
  return null;
}

/** 02:42 + the IPv4 address's four bytes (overlay endpoints; bridge endpoints in libnetwork 20.10). */
export function macOf(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

export { intToIp, ipToInt, parseCidr };
