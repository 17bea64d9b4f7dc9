/**
 * The network agent of each host (libnetwork inside dockerd): sets up the default networks when the
 * daemon starts, and gives a container's sandbox its interfaces, addresses, routes and DNS names when
 * it starts; tears them down when it stops.
 */
import { from, mergeMap } from 'rxjs';
import type { EngineEvent } from '../../../events/index.js';
import { attachBridge, detach, endpointsOf, hostDefaults, sandboxOf } from '../../net/local.js';
import { NetPlan } from '../../net/plan.js';
import type { Prng } from '../../sim/prng.js';
import { tget } from '../../state/table.js';
import type { Container, State } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact } from '../types.js';

/** Brings a running container's sandbox in line with the networks it should be on. */
export function syncContainer(s: State, c: Container, rng: Prng): EngineEvent[] {
  const p = new NetPlan(s, rng);
  const sandbox = sandboxOf(c.id);
  const running = c.state === 'running';
  const hostMode = c.networks.some((id) => tget(s.networks, id)?.driver === 'host');
  const hasNs = tget(s.netns, `${c.host}/${sandbox}`) !== undefined;
  const eps = endpointsOf(s, c.host, sandbox);
  const names = [c.name, c.id.slice(0, 12)];
  for (const ep of eps) if (!running || !c.networks.includes(ep.networkId)) detach(p, ep, names);
  if (!running) {
    if (hasNs) p.emit({ type: 'NetnsRemoved', host: c.host, netns: sandbox });
    return p.events;
  }
  if (hostMode) return p.events;
  if (!hasNs) p.emit({ type: 'NetnsCreated', host: c.host, netns: sandbox });
  const have = new Set(eps.filter((e) => c.networks.includes(e.networkId)).map((e) => e.networkId));
  let next = eps.filter((e) => have.has(e.networkId)).length;
  for (const id of c.networks) {
    if (have.has(id)) continue;
    const n = tget(s.networks, id);
    if (!n || n.driver !== 'bridge') continue;
    attachBridge(p, c.host, sandbox, c.id, c.name, n, `eth${next}`, next === 0, names);
    next++;
  }
  return p.events;
}

export function netAgentReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'HostAdded': {
      const p = new NetPlan(s, deps.rng());
      hostDefaults(p, e.name);
      return p.events;
    }
    case 'ContainerStateChanged':
    case 'ContainerNetworksChanged': {
      const c = tget(s.containers, e.containerId);
      return c ? syncContainer(s, c, deps.rng()) : [];
    }
    default:
      return [];
  }
}

export const netAgentController: Controller = {
  name: 'netagent',
  react: (fact$, deps) => fact$.pipe(mergeMap((f) => from(netAgentReact(f, deps)))),
};
