/** Placement constraints exactly as swarmkit parses and matches them (manager/constraint/constraint.go). */
import { tget } from '../../state/table.js';
import type { State, SwarmNode } from '../../state/types.js';

export interface Constraint {
  key: string;
  op: '==' | '!=';
  exp: string;
}

const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

/** Parses one constraint; returns swarmkit's error text on failure. */
export function parseConstraint(c: string): Constraint | string {
  for (const op of ['==', '!='] as const) {
    const i = c.indexOf(op);
    if (i < 0) continue;
    const key = c.slice(0, i).trim();
    const exp = c.slice(i + op.length).trim();
    if (!KEY.test(key)) return `key '${key}' is invalid`;
    if (!VALUE.test(exp)) return `value '${exp}' is invalid`;
    return { key, op, exp };
  }
  return 'constraint expected one operator from ==, !=';
}

function ipMatches(addr: string, exp: string): boolean | null {
  const ip = (s: string) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(s) ? s.split('.').reduce((a, p) => a * 256 + Number(p), 0) : null);
  const [base, bits] = exp.split('/');
  const b = ip(base!);
  const a = ip(addr);
  if (b === null || a === null) return null;
  if (bits === undefined) return a === b;
  const n = Number(bits);
  if (!/^\d+$/.test(bits) || n > 32) return null;
  const mask = n === 0 ? 0 : 2 ** 32 - 2 ** (32 - n);
  return Math.floor(a / 2 ** (32 - n)) === Math.floor(b / 2 ** (32 - n)) && mask >= 0;
}

/** A label's value, if the node has that label (own keys only: `node.labels.constructor` is just a missing label). */
export function labelValue(labels: Record<string, string> | undefined, name: string): string | undefined {
  return labels && Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : undefined;
}

/** Does the node satisfy this constraint? Unknown keys never match, with == or != alike. */
export function matches(s: State, n: SwarmNode, c: Constraint): boolean {
  const key = c.key.toLowerCase();
  const eq = (v: string | undefined): boolean => {
    const same = v !== undefined && v.toLowerCase() === c.exp.toLowerCase();
    return c.op === '==' ? same : !same;
  };
  const h = tget(s.hosts, n.hostname);
  switch (key) {
    case 'node.id': return eq(n.id);
    case 'node.hostname': return eq(n.hostname);
    case 'node.role': return eq(n.role);
    case 'node.platform.os': return eq(h?.os ?? '');
    case 'node.platform.arch': return eq(h?.arch ?? '');
    case 'node.ip': {
      const m = ipMatches(n.addr, c.exp);
      if (m === null) return false;
      return c.op === '==' ? m : !m;
    }
    default:
      // The label name must be non-empty (`node.labels.` alone is an unknown key) and keeps its case.
      if (key.length > 'node.labels.'.length && key.startsWith('node.labels.')) return eq(labelValue(n.labels, c.key.slice('node.labels.'.length)));
      if (key.length > 'engine.labels.'.length && key.startsWith('engine.labels.')) return eq(labelValue(h?.labels, c.key.slice('engine.labels.'.length)));
      return false;
  }
}

export function matchesAll(s: State, n: SwarmNode, cs: readonly Constraint[]): boolean {
  return cs.every((c) => matches(s, n, c));
}

/** Parsed constraints of a spec (already validated at create/update). */
export function compile(constraints: readonly string[]): Constraint[] {
  return constraints.map((c) => parseConstraint(c)).filter((c): c is Constraint => typeof c !== 'string');
}
