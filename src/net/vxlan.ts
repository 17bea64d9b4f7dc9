/**
 * What libnetwork's overlay driver programs into an overlay namespace for the endpoints on OTHER nodes
 * (moby daemon/libnetwork/drivers/overlay/peerdb.go, peerAdd): a permanent FDB entry on vxlan0 sending
 * the remote endpoint's MAC to its node's VTEP — the node's data-path address (`--data-path-addr`, else
 * its advertise address) — and a permanent ARP entry for its IP. Rendered as `bridge fdb show` and
 * `ip neigh show` print them inside `1-<netid>`; derived from the endpoints and nodes in the state.
 */
import { ipToInt } from '../commands/units.js';
import { tget, tvalues } from '../state/table.js';
import type { Endpoint, Network, State } from '../state/types.js';
import { overlayNs } from './overlay.js';

/** A remote endpoint of the overlay, with the VTEP its packets are sent to. */
interface Peer {
  ip: string;
  mac: string;
  vtep: string;
}

/** The overlay whose namespace `netns` is on `host`, if it is one. */
function overlayOf(s: State, host: string, netns: string): Network | undefined {
  if (!tget(s.netns, `${host}/${netns}`)) return undefined;
  return tvalues(s.networks).find((n) => n.driver === 'overlay' && overlayNs(n) === netns);
}

/** The data-path address of the swarm node a host runs, if any. */
export function vtepOf(s: State, host: string): string | null {
  const h = tget(s.hosts, host);
  const node = h?.nodeId ? tget(s.nodes, h.nodeId) : undefined;
  return node ? node.dataPathAddr || node.addr : null;
}

/** The overlay's endpoints on other nodes that are in the swarm, by IP. */
function peers(s: State, host: string, n: Network): Peer[] {
  const out: Peer[] = [];
  for (const ep of tvalues(s.endpoints) as Endpoint[]) {
    if (ep.networkId !== n.id || ep.host === host) continue;
    const vtep = vtepOf(s, ep.host);
    if (vtep) out.push({ ip: ep.ip, mac: ep.mac, vtep });
  }
  return out.sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
}

/** `bridge fdb show` inside an overlay namespace: the remote peers on vxlan0 (null: not an overlay's namespace). */
export function bridgeFdb(s: State, host: string, netns: string): string | null {
  const n = overlayOf(s, host, netns);
  if (!n) return null;
  return peers(s, host, n).map((p) => `${p.mac} dev vxlan0 dst ${p.vtep} link-netnsid 0 self permanent\n`).join('');
}

/** `ip neigh show` inside an overlay namespace: the remote peers' ARP entries (null: not an overlay's namespace). */
export function ipNeigh(s: State, host: string, netns: string): string | null {
  const n = overlayOf(s, host, netns);
  if (!n) return null;
  return peers(s, host, n).map((p) => `${p.ip} dev vxlan0 lladdr ${p.mac} PERMANENT\n`).join('');
}
