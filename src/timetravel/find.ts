/** `engine find` predicates: conditions over the derived state, compiled from a small phrase language. */
import { reject } from '../commands/rejection.js';
import { isNodeAlive, selectLeader } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { State, SwarmNode } from '../state/types.js';

export interface Predicate {
  text: string;
  test(s: State): boolean;
}

function nodeRef(s: State, ref: string): SwarmNode | undefined {
  return tget(s.nodes, ref) ?? tvalues(s.nodes).find((n) => n.hostname === ref && isNodeAlive(s, n))
    ?? tvalues(s.nodes).find((n) => n.hostname === ref) ?? tvalues(s.nodes).find((n) => n.id.startsWith(ref));
}

const FORMS: { re: RegExp; make(m: RegExpExecArray): Predicate }[] = [
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
    re: /^time >= (\d+)(ms|s|m|h)$/,
    make: (m) => {
      const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] as 'ms']!;
      return { text: `virtual time reaches ${m[1]}${m[2]}`, test: (s) => s.sim.nowMs >= ms };
    },
  },
];

export const PREDICATE_HELP = [
  'node NODE is ready|down|unknown', 'node NODE is active|pause|drain', 'node NODE is manager|worker', 'node NODE exists',
  'host HOST is up|down', 'leader is HOST', 'no leader', 'leader changed', 'N nodes are ready|down', 'time >= 30s',
];

export function compilePredicate(text: string): Predicate {
  const t = text.trim().replace(/\s+/g, ' ');
  for (const f of FORMS) {
    const m = f.re.exec(t);
    if (m) return f.make(m);
  }
  return reject(`unknown predicate "${t}"; try one of: ${PREDICATE_HELP.join('; ')}`);
}
