/** `engine find` predicates: conditions over the derived state, compiled from a small phrase language. */
import { reject } from '../commands/rejection.js';
import { isNodeAlive, selectLeader } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { Network, Service, State, SwarmNode, Task } from '../state/types.js';
import { overlayNs } from '../net/overlay.js';
import { currentTask, serviceSlots } from '../controllers/orchestrator/tasks.js';

export interface Predicate {
  text: string;
  test(s: State): boolean;
}

function nodeRef(s: State, ref: string): SwarmNode | undefined {
  return tget(s.nodes, ref) ?? tvalues(s.nodes).find((n) => n.hostname === ref && isNodeAlive(s, n))
    ?? tvalues(s.nodes).find((n) => n.hostname === ref) ?? tvalues(s.nodes).find((n) => n.id.startsWith(ref));
}

function service(s: State, ref: string): Service | undefined {
  return tvalues(s.services).find((x) => x.spec.name === ref) ?? tget(s.services, ref);
}

/** A network by ID or name: a swarm network first, else the first local one of that name. */
function network(s: State, ref: string): Network | undefined {
  return tget(s.networks, ref) ?? tvalues(s.networks).find((n) => n.name === ref && n.scope === 'swarm') ?? tvalues(s.networks).find((n) => n.name === ref);
}

/** Tasks of a service whose observed state is RUNNING (what `service ls` counts). */
function running(s: State, svc: Service): number {
  return serviceSlots(s, svc.id).reduce((n, slot) => n + slot.taskIds.filter((id) => tget(s.tasks, id)?.state === 'running').length, 0);
}

function slotTask(s: State, name: string): Task | undefined {
  const i = name.lastIndexOf('.');
  const svc = i > 0 ? service(s, name.slice(0, i)) : undefined;
  if (!svc) return undefined;
  const key = name.slice(i + 1);
  const slot = tvalues(s.slots).find((x) => x.serviceId === svc.id && (String(x.slot) === key || x.nodeId === key || (x.nodeId !== null && tget(s.nodes, x.nodeId)?.hostname === key)));
  return slot ? currentTask(s, slot) : undefined;
}

const FORMS: { re: RegExp; make(m: RegExpExecArray): Predicate }[] = [
  {
    re: /^service (\S+) has (fewer|less|more) than (\d+) running tasks?$/,
    make: (m) => ({ text: `service ${m[1]} has ${m[2]} than ${m[3]} running tasks`, test: (s) => {
      const svc = service(s, m[1]!);
      if (!svc) return false;
      const n = running(s, svc);
      return m[2] === 'more' ? n > Number(m[3]) : n < Number(m[3]);
    } }),
  },
  {
    re: /^service (\S+) has (?:at least )?(\d+) running tasks?$/,
    make: (m) => ({ text: `service ${m[1]} has ${m[2]} running tasks`, test: (s) => {
      const svc = service(s, m[1]!);
      return !!svc && running(s, svc) >= Number(m[2]);
    } }),
  },
  {
    re: /^service (\S+) is converged$/,
    make: (m) => ({ text: `service ${m[1]} is converged`, test: (s) => {
      const svc = service(s, m[1]!);
      if (!svc) return false;
      const want = svc.spec.mode === 'replicated' ? svc.spec.replicas : serviceSlots(s, svc.id).filter((sl) => currentTask(s, sl)).length;
      return serviceSlots(s, svc.id).filter((sl) => currentTask(s, sl)?.state === 'running').length === want;
    } }),
  },
  {
    re: /^service (\S+) (exists|is removed)$/,
    make: (m) => ({ text: `service ${m[1]} ${m[2]}`, test: (s) => (service(s, m[1]!) !== undefined) === (m[2] === 'exists') }),
  },
  {
    re: /^service (\S+) update is (updating|paused|completed|rollback_started|rollback_paused|rollback_completed)$/,
    make: (m) => ({ text: `service ${m[1]} update is ${m[2]}`, test: (s) => service(s, m[1]!)?.updateStatus?.state === m[2] }),
  },
  {
    re: /^task (\S+) is on (\S+)$/,
    make: (m) => ({ text: `task ${m[1]} is on ${m[2]}`, test: (s) => {
      const t = slotTask(s, m[1]!);
      const n = t?.nodeId ? tget(s.nodes, t.nodeId) : undefined;
      return !!n && (n.hostname === m[2] || n.id === m[2]);
    } }),
  },
  {
    re: /^task (\S+) is (pending|assigned|ready|running|failed|complete|shutdown|rejected)$/,
    make: (m) => ({ text: `task ${m[1]} is ${m[2]}`, test: (s) => slotTask(s, m[1]!)?.state === m[2] }),
  },
  {
    re: /^node (\S+) is (ready|down|unknown|disconnected)$/,
    make: (m) => ({ text: `node ${m[1]} is ${m[2]}`, test: (s) => nodeRef(s, m[1]!)?.state === m[2] }),
  },
  {
    re: /^node (\S+) is (active|pause|drain)$/,
    make: (m) => ({ text: `node ${m[1]} is ${m[2]}`, test: (s) => nodeRef(s, m[1]!)?.availability === m[2] }),
  },
  {
    re: /^node (\S+) is (?:a )?(manager|worker)$/,
    make: (m) => ({ text: `node ${m[1]} is a ${m[2]}`, test: (s) => nodeRef(s, m[1]!)?.role === m[2] }),
  },
  {
    re: /^node (\S+) (?:exists|joined)$/,
    make: (m) => ({ text: `node ${m[1]} exists`, test: (s) => nodeRef(s, m[1]!) !== undefined }),
  },
  {
    re: /^host (\S+) is (up|down)$/,
    make: (m) => ({ text: `host ${m[1]} is ${m[2]}`, test: (s) => tget(s.hosts, m[1]!)?.up === (m[2] === 'up') }),
  },
  {
    re: /^leader is (\S+)$/,
    make: (m) => ({ text: `the leader is ${m[1]}`, test: (s) => selectLeader(s)?.hostname === m[1] }),
  },
  {
    re: /^(?:there is )?no leader$/,
    make: () => ({ text: 'there is no leader', test: (s) => s.swarm !== null && !selectLeader(s) }),
  },
  {
    re: /^leader changed$/,
    make: () => {
      // The first leader the search sees is the baseline: creating the swarm is not a change of leader.
      let first: string | null | undefined;
      return { text: 'the leader changed', test: (s) => {
        if (!s.swarm) return false;
        const l = s.swarm.raft.leaderId;
        if (first === undefined) {
          first = l;
          return false;
        }
        return l !== first;
      } };
    },
  },
  {
    re: /^(\d+) nodes? (?:are |is )?(ready|down)$/,
    make: (m) => ({ text: `${m[1]} nodes are ${m[2]}`, test: (s) => tvalues(s.nodes).filter((n) => n.state === m[2]).length >= Number(m[1]) }),
  },
  {
    re: /^network (\S+) (exists|is removed)$/,
    make: (m) => ({ text: `network ${m[1]} ${m[2]}`, test: (s) => (network(s, m[1]!) !== undefined) === (m[2] === 'exists') }),
  },
  {
    re: /^overlay (\S+) is (up|down) on (\S+)$/,
    make: (m) => ({ text: `overlay ${m[1]} is ${m[2]} on ${m[3]}`, test: (s) => {
      const n = network(s, m[1]!);
      if (!n || n.driver !== 'overlay') return m[2] === 'down';
      return (tget(s.netns, `${m[3]}/${overlayNs(n)}`) !== undefined) === (m[2] === 'up');
    } }),
  },
  {
    re: /^netns (\S+) exists on (\S+)$/,
    make: (m) => ({ text: `netns ${m[1]} exists on ${m[2]}`, test: (s) => tget(s.netns, `${m[2]}/${m[1]}`) !== undefined }),
  },
  {
    re: /^service (\S+) has a VIP on (\S+)$/,
    make: (m) => ({ text: `service ${m[1]} has a VIP on ${m[2]}`, test: (s) => {
      const n = network(s, m[2]!);
      return !!n && !!service(s, m[1]!)?.vips.some((v) => v.networkId === n.id);
    } }),
  },
  {
    re: /^service (\S+) publishes (\d+)$/,
    make: (m) => ({ text: `service ${m[1]} publishes ${m[2]}`, test: (s) => !!service(s, m[1]!)?.endpointPorts.some((p) => p.publishedPort === Number(m[2])) }),
  },
  {
    re: /^address (\d+\.\d+\.\d+\.\d+) is (allocated|free) on (\S+)$/,
    make: (m) => ({ text: `address ${m[1]} is ${m[2]} on ${m[3]}`, test: (s) => {
      const n = network(s, m[3]!);
      return !!n && (tget(s.addresses, `${n.id}/${m[1]}`) !== undefined) === (m[2] === 'allocated');
    } }),
  },
  {
    re: /^time >= (\d+)(ms|s|m|h)$/,
    make: (m) => {
      const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] as 'ms']!;
      return { text: `virtual time reaches ${m[1]}${m[2]}`, test: (s) => s.sim.nowMs >= ms };
    },
  },
];

export const PREDICATE_HELP = [
  'service S has fewer than K running tasks', 'service S has K running tasks', 'service S is converged', 'service S exists|is removed',
  'service S update is completed|paused|…', 'task S.N is on NODE', 'task S.N is running|failed|…',
  'node NODE is ready|down|unknown', 'node NODE is active|pause|drain', 'node NODE is manager|worker', 'node NODE exists',
  'host HOST is up|down', 'leader is HOST', 'no leader', 'leader changed', 'N nodes are ready|down',
  'network NET exists|is removed', 'overlay NET is up|down on HOST', 'netns NAME exists on HOST', 'service S has a VIP on NET',
  'service S publishes PORT', 'address IP is allocated|free on NET', 'time >= 30s',
];

export function compilePredicate(text: string): Predicate {
  const t = text.trim().replace(/\s+/g, ' ');
  for (const f of FORMS) {
    const m = f.re.exec(t);
    if (m) return f.make(m);
  }
  return reject(`unknown predicate "${t}"; try one of: ${PREDICATE_HELP.join('; ')}`);
}
