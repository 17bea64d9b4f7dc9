/**
 * The story of a diff in Swarm's terms: nodes joining, going down, drained, promoted; the leader
 * changing; networks created or removed and overlays coming up or going away on a node; services
 * created, scaled, updated, published or removed, with their VIPs; and each slot's task moving,
 * restarting, starting or going away ("task web.3 moved node-4 → node-2").
 */
import { currentTask } from '../controllers/orchestrator/tasks.js';
import { overlayNs } from '../net/overlay.js';
import { tget, tvalues } from '../state/table.js';
import type { PortConfig } from '../../events/index.js';
import type { Slot, State, Task } from '../state/types.js';

function ids<T extends { id: string }>(a: T[], b: T[]): string[] {
  return [...new Set([...a.map((x) => x.id), ...b.map((x) => x.id)])].sort();
}

const portText = (p: PortConfig): string => `${p.publishMode === 'host' ? 'host ' : '*'}:${p.publishedPort}->${p.targetPort}/${p.protocol}`;

/** Hosts, nodes and the Raft leader. */
function clusterStory(a: State, b: State): string[] {
  const out: string[] = [];
  if (a.hosts !== b.hosts) {
    for (const h of tvalues(b.hosts).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      const before = tget(a.hosts, h.name);
      if (!before) out.push(`host ${h.name} added`);
      else if (before.up !== h.up) out.push(`host ${h.name} ${h.up ? 'booted' : 'crashed'}`);
    }
  }
  if (a.nodes !== b.nodes) {
    for (const id of ids(tvalues(a.nodes), tvalues(b.nodes))) {
      const x = tget(a.nodes, id);
      const y = tget(b.nodes, id);
      if (x === y) continue;
      if (!x && y) out.push(`node ${y.hostname} joined as a ${y.role}`);
      else if (x && !y) out.push(`node ${x.hostname} removed`);
      else if (x && y) {
        if (x.state !== y.state) out.push(`node ${y.hostname} ${x.state} → ${y.state}`);
        if (x.availability !== y.availability) out.push(`node ${y.hostname} availability ${x.availability} → ${y.availability}`);
        if (x.role !== y.role) out.push(`node ${y.hostname} ${y.role === 'manager' ? 'promoted to manager' : 'demoted to worker'}`);
      }
    }
  }
  const la = a.swarm?.raft.leaderId ?? null;
  const lb = b.swarm?.raft.leaderId ?? null;
  if (a.swarm && b.swarm && la !== lb) out.push(lb ? `leader ${la ? nodeName(a, la) : 'none'} → ${nodeName(b, lb)}` : `no leader (was ${la ? nodeName(a, la) : 'none'})`);
  return out;
}

/** Networks, and the overlays each node has instantiated (its `1-<id>` namespace). */
function networkStory(a: State, b: State): string[] {
  const out: string[] = [];
  if (a.networks !== b.networks) {
    for (const id of ids(tvalues(a.networks), tvalues(b.networks))) {
      const x = tget(a.networks, id);
      const y = tget(b.networks, id);
      if (!x && y && !(y.scope === 'local' && ['bridge', 'host', 'none'].includes(y.name))) out.push(`network ${y.name} created (${y.driver}${y.subnet ? `, ${y.subnet}` : ''}${y.host ? ` on ${y.host}` : ''})`);
      else if (x && !y) out.push(`network ${x.name} removed${x.host ? ` from ${x.host}` : ''}`);
    }
  }
  out.sort();
  if (a.netns !== b.netns) {
    // The hosts of every namespace named like an overlay's (`1-…`), in one pass over each state.
    const hostsByNs = (s: State): Map<string, Set<string>> => {
      const m = new Map<string, Set<string>>();
      for (const x of tvalues(s.netns)) {
        if (!x.name.startsWith('1-')) continue;
        let set = m.get(x.name);
        if (!set) m.set(x.name, (set = new Set()));
        set.add(x.host);
      }
      return m;
    };
    const [byA, byB] = [hostsByNs(a), hostsByNs(b)];
    const none = new Set<string>();
    const overlays = new Map([...tvalues(a.networks), ...tvalues(b.networks)].filter((x) => x.driver === 'overlay').map((x) => [x.id, x] as const));
    for (const n of [...overlays.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      const ns = overlayNs(n);
      const [ha, hb] = [byA.get(ns) ?? none, byB.get(ns) ?? none];
      for (const h of [...hb].filter((x) => !ha.has(x)).sort()) out.push(`overlay ${n.name} came up on ${h} (${ns})`);
      for (const h of [...ha].filter((x) => !hb.has(x)).sort()) out.push(`overlay ${n.name} went away from ${h}`);
    }
  }
  return out;
}

function nodeName(s: State, id: string | null): string {
  if (!id) return 'no node';
  return tget(s.nodes, id)?.hostname ?? id.slice(0, 12);
}

function slotName(s: State, slot: Slot): string {
  const svc = tget(s.services, slot.serviceId);
  return `${svc?.spec.name ?? slot.serviceId.slice(0, 12)}.${slot.slot > 0 ? slot.slot : nodeName(s, slot.nodeId)}`;
}

export function summarize(a: State, b: State): string[] {
  const out: string[] = [];
  const svcIds = [...new Set([...tvalues(a.services).map((x) => x.id), ...tvalues(b.services).map((x) => x.id)])].sort();
  for (const id of svcIds) {
    const x = tget(a.services, id);
    const y = tget(b.services, id);
    if (!x && y) out.push(`service ${y.spec.name} created (${y.spec.mode === 'replicated' ? `${y.spec.replicas} replica${y.spec.replicas === 1 ? '' : 's'}` : 'global'}, ${y.spec.image.split('@')[0]})`);
    else if (x && !y) out.push(`service ${x.spec.name} removed`);
    else if (x && y && x !== y) {
      if (x.spec.replicas !== y.spec.replicas && y.spec.mode === 'replicated') out.push(`service ${y.spec.name} scaled ${x.spec.replicas} → ${y.spec.replicas}`);
      if (x.spec.image !== y.spec.image) out.push(`service ${y.spec.name} image ${x.spec.image.split('@')[0]} → ${y.spec.image.split('@')[0]}`);
      if (x.updateStatus?.state !== y.updateStatus?.state && y.updateStatus) out.push(`service ${y.spec.name} update ${y.updateStatus.state}: ${y.updateStatus.message}`);
    }
    // What the service publishes, and its VIPs, as they change (created: what it has).
    const [pa, pb] = [(x?.endpointPorts ?? []).map(portText), (y?.endpointPorts ?? []).map(portText)];
    const name = (y ?? x)!.spec.name;
    if (y) for (const p of pb.filter((q) => !pa.includes(q))) out.push(`service ${name} publishes ${p}`);
    if (x && y) for (const p of pa.filter((q) => !pb.includes(q))) out.push(`service ${name} no longer publishes ${p}`);
    const vip = (s: State, v: { networkId: string; ip: string }) => `${v.ip} on ${tget(s.networks, v.networkId)?.name ?? v.networkId.slice(0, 12)}`;
    const [va, vb] = [(x?.vips ?? []).map((v) => vip(a, v)), (y?.vips ?? []).map((v) => vip(b, v))];
    if (y) for (const v of vb.filter((q) => !va.includes(q))) out.push(`service ${name} VIP ${v}`);
  }
  out.unshift(...clusterStory(a, b), ...networkStory(a, b));
  if (a.slots === b.slots) return out;
  const keys = new Map<string, Slot>();
  for (const sl of tvalues(a.slots)) keys.set(`${sl.serviceId}/${sl.slot}/${sl.nodeId}`, sl);
  for (const sl of tvalues(b.slots)) keys.set(`${sl.serviceId}/${sl.slot}/${sl.nodeId}`, sl);
  const lines: [string, string][] = [];
  for (const [key, sl] of keys) {
    const sa = tget(a.slots, slotKeyOf(sl));
    const sb = tget(b.slots, slotKeyOf(sl));
    if (sa === sb) continue;
    const ta: Task | undefined = sa ? currentTask(a, sa) : undefined;
    const tb: Task | undefined = sb ? currentTask(b, sb) : undefined;
    if (ta?.id === tb?.id && ta?.nodeId === tb?.nodeId) continue;
    const name = slotName(tb ? b : a, (sb ?? sa)!);
    if (ta && tb) {
      if (ta.nodeId !== tb.nodeId && ta.id !== tb.id) lines.push([key, `task ${name} moved ${nodeName(a, ta.nodeId)} → ${nodeName(b, tb.nodeId)} (task ${ta.id.slice(0, 12)} → ${tb.id.slice(0, 12)})`]);
      else if (ta.id !== tb.id) lines.push([key, `task ${name} replaced on ${nodeName(b, tb.nodeId)} (task ${ta.id.slice(0, 12)} → ${tb.id.slice(0, 12)})`]);
      else lines.push([key, `task ${name} placed on ${nodeName(b, tb.nodeId)}`]);
    } else if (tb) lines.push([key, `task ${name} started on ${nodeName(b, tb.nodeId)} (task ${tb.id.slice(0, 12)})`]);
    else if (ta) lines.push([key, `task ${name} gone from ${nodeName(a, ta.nodeId)} (task ${ta.id.slice(0, 12)})`]);
  }
  return [...out, ...lines.sort((p, q) => (p[1] < q[1] ? -1 : p[1] > q[1] ? 1 : 0)).map((l) => l[1])];
}

function slotKeyOf(sl: Slot): string {
  return sl.slot > 0 ? `${sl.serviceId}/${sl.slot}` : `${sl.serviceId}/${sl.nodeId}`;
}
