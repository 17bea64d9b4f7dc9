/**
 * The story of a diff in Swarm's terms: services created, scaled, updated or removed, and each slot's
 * task moving, restarting, starting or going away ("task web.3 moved node-4 → node-2").
 */
import { currentTask } from '../controllers/orchestrator/tasks.js';
import { tget, tvalues } from '../state/table.js';
import type { Slot, State, Task } from '../state/types.js';

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
  }
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
