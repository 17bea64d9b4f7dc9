/**
 * `docker inspect TASK`: the object moby's daemon/cluster/convert/task.go TaskFromGRPC makes of a
 * swarmkit task (api/types/swarm/task.go), with its network attachments as swarm networks
 * (convert/network.go networkFromGRPC).
 */
import { taskSpecOf } from '../../controllers/orchestrator/spec.js';
import { rfc3339Nano } from '../../sim/clock.js';
import { tget } from '../../state/table.js';
import type { Network, State, Task } from '../../state/types.js';
import { containerPid } from './containers.js';
import { portJson, specJson } from './services.js';

const VXLAN_IDS = 'com.docker.network.driver.overlay.vxlanid_list';

/** A Go map as encoding/json writes it: keys sorted. */
function sortedMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

/**
 * A swarm network as a task's attachment carries it (swarm.Network). Its Spec is what was asked for —
 * the driver and its options, the IPAM driver; the allocated pool and the VNI are in IPAMOptions and
 * DriverState. swarmkit's own ingress (manager.go newIngressNetwork) asks for nothing: an empty driver.
 * (A `network create --ingress` named `ingress` without options looks the same here.) What `--subnet` a user gave is not recorded apart from the allocated subnet, so the Spec lists no
 * IPAM configs.
 */
export function swarmNetworkJson(s: State, n: Network): Record<string, unknown> {
  const vni = n.options[VXLAN_IDS];
  // The allocator's VNI goes into DriverState; the Spec keeps the options the user gave.
  const asked: Record<string, string> = {};
  for (const [k, v] of Object.entries(n.options)) if (k !== VXLAN_IDS) asked[k] = v;
  const builtinIngress = n.ingress && n.name === 'ingress' && Object.keys(asked).length === 0;
  const spec: Record<string, unknown> = { Name: n.name, Labels: sortedMap(n.labels) };
  spec.DriverConfiguration = builtinIngress ? {} : { Name: n.driver, ...(Object.keys(asked).length ? { Options: sortedMap(asked) } : {}) };
  if (n.internal) spec.Internal = true;
  if (n.attachable) spec.Attachable = true;
  if (n.ingress) spec.Ingress = true;
  spec.IPAMOptions = builtinIngress ? { Driver: {} } : { Driver: { Name: 'default' } };
  spec.Scope = 'swarm';
  const at = rfc3339Nano(s.sim.epochMs, n.createdAtMs);
  return {
    ID: n.id, Version: { Index: n.version }, CreatedAt: at, UpdatedAt: at, Spec: spec,
    DriverState: { Name: n.driver, ...(vni !== undefined ? { Options: { [VXLAN_IDS]: vni } } : {}) },
    IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: n.subnet, ...(n.ipRange ? { Range: n.ipRange } : {}), Gateway: n.gateway }] },
  };
}

/**
 * The agent reports a container's status with every update from `starting` on (swarmkit
 * agent/exec/controller.go Do): its ID, its PID while it runs (0 once it has exited) and its exit code.
 * A task refused before it started (rejected, or shut down while pending) has none.
 */
function containerStatus(t: Task): Record<string, unknown> | null {
  const started = t.state === 'starting' || t.state === 'running' || t.runningAtMs !== null;
  if (!started) return null;
  return { ContainerID: t.containerId, PID: t.state === 'running' ? containerPid(t.containerId) : 0, ExitCode: t.exitCode ?? 0 };
}

/** The object `docker inspect TASK` prints. */
export function taskInspect(s: State, t: Task): Record<string, unknown> {
  const svc = tget(s.services, t.serviceId);
  // The task keeps the template it was made from (swarmkit copies it into Task.Spec).
  const template = svc ? (specJson(s, taskSpecOf(svc, t)).TaskTemplate as Record<string, unknown>) : {};
  const status: Record<string, unknown> = { Timestamp: rfc3339Nano(s.sim.epochMs, t.stateAtMs), State: t.state, Message: t.message };
  if (t.err) status.Err = t.err;
  const cs = containerStatus(t);
  if (cs) status.ContainerStatus = cs;
  status.PortStatus = t.hostPorts?.length ? { Ports: t.hostPorts.map(portJson) } : {};
  const out: Record<string, unknown> = {
    ID: t.id, Version: { Index: t.version }, CreatedAt: rfc3339Nano(s.sim.epochMs, t.createdAtMs), UpdatedAt: rfc3339Nano(s.sim.epochMs, t.updatedAtMs),
    Labels: {}, Spec: template, ServiceID: t.serviceId,
  };
  if (t.slot) out.Slot = t.slot;
  if (t.nodeId) out.NodeID = t.nodeId;
  out.Status = status;
  out.DesiredState = t.desiredState;
  const attachments = t.addrs.flatMap((a) => {
    const n = tget(s.networks, a.networkId);
    return n ? [{ Network: swarmNetworkJson(s, n), Addresses: [`${a.ip}/${n.subnet.split('/')[1]}`] }] : [];
  });
  if (attachments.length) out.NetworksAttachments = attachments;
  out.Volumes = null;
  return out;
}
