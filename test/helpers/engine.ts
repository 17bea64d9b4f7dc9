/**
 * TestEngine: the real reducers, controllers and reactor, in memory — no LevelDB, no timers, no CLI.
 * A scenario reads like a script: add hosts, init, join, crash a host, advance 20 s, expect Down.
 * Each call is one atomic batch, built exactly as the session builds it (PRNG stream = first seq).
 */
import type { EngineEvent, NodeRole } from '../../events/index.js';
import { joinSecret } from '../../src/commands/sealing.js';
import { decideHostAdd, decideHostBoot, decideHostCrash } from '../../src/commands/hosts.js';
import { decideSwarmInit, decideSwarmJoin, type InitInput } from '../../src/commands/swarm.js';
import { CONTROLLERS } from '../../src/controllers/index.js';
import { Reactor, type Applied } from '../../src/engine/reactor.js';
import { joinToken } from '../../src/sim/ids.js';
import { Prng } from '../../src/sim/prng.js';
import { initialState } from '../../src/state/index.js';
import { selectHostNode, selectLeader } from '../../src/state/selectors.js';
import { tget } from '../../src/state/table.js';
import type { Host, State, SwarmNode } from '../../src/state/types.js';

export const EPOCH_MS = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A logged event as the TestEngine keeps it. */
export interface Rec {
  seq: number;
  atMs: number;
  batch: number;
  event: EngineEvent;
}

export class TestEngine {
  state: State = initialState();
  readonly log: Rec[] = [];
  private readonly reactor = new Reactor(CONTROLLERS);

  constructor(readonly seed = 1) {
    this.batch(() => [{ type: 'LogInitialized', seed, epochMs: EPOCH_MS, engineVersion: '28.2.2' }]);
  }

  /** One atomic batch: the decider's events, then every controller reaction; returns the batch. */
  batch(decide: (s: State, rng: Prng) => EngineEvent[]): EngineEvent[] {
    const first = this.log.length + 1;
    const rng = new Prng(this.state.sim.seed, first);
    const applied: Applied[] = [];
    this.state = this.reactor.run(this.state, decide(this.state, rng), rng, applied);
    applied.forEach((a, i) => this.log.push({ seq: first + i, atMs: a.atMs, batch: first, event: a.event }));
    return applied.map((a) => a.event);
  }

  /** Applies the given events as one batch (controllers react to them). */
  emit(...events: EngineEvent[]): EngineEvent[] {
    return this.batch(() => events);
  }

  addHosts(...names: string[]): this {
    for (const name of names) {
      this.batch((s) => decideHostAdd(s, { name, nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: '28.2.2' }));
    }
    return this;
  }

  init(hostName: string, input: Partial<InitInput> = {}): EngineEvent[] {
    return this.batch((s, rng) => decideSwarmInit(s, this.host(hostName), { defaultAddrPool: [], defaultAddrPoolMaskLength: 24, ...input }, rng));
  }

  /** The current join token of a role. */
  token(role: NodeRole): string {
    const sw = this.state.swarm!;
    return joinToken(sw.caDigest, joinSecret(sw, role));
  }

  join(hostName: string, role: NodeRole, remote?: string): EngineEvent[] {
    const leader = selectLeader(this.state)!;
    return this.batch((s, rng) => decideSwarmJoin(s, this.host(hostName), { token: this.token(role), remote: remote ?? `${leader.addr}:2377` }, rng));
  }

  /** hosts + init on the first manager + joins: `cluster(['m1','m2','m3'], ['w1','w2'])`. */
  static cluster(managers: string[], workers: string[] = [], seed = 1): TestEngine {
    const t = new TestEngine(seed).addHosts(...managers, ...workers);
    t.init(managers[0]!);
    for (const m of managers.slice(1)) t.join(m, 'manager');
    for (const w of workers) t.join(w, 'worker');
    return t;
  }

  crash(hostName: string): EngineEvent[] {
    return this.batch((s) => decideHostCrash(s, hostName));
  }

  boot(hostName: string): EngineEvent[] {
    return this.batch((s) => decideHostBoot(s, hostName));
  }

  /** `engine advance`: the clock stops at every controller deadline on the way, in order. */
  advance(ms: number): EngineEvent[] {
    const first = this.log.length + 1;
    const rng = new Prng(this.state.sim.seed, first);
    const applied: Applied[] = [];
    const target = this.state.sim.nowMs + ms;
    for (let i = 0; i < 10_000; i++) {
      const now = this.state.sim.nowMs;
      const next = nextDeadline(this.state);
      if (next === null || next > target || next <= now) break;
      this.state = this.reactor.run(this.state, [{ type: 'ClockAdvanced', fromMs: now, toMs: next }], rng, applied);
    }
    const now = this.state.sim.nowMs;
    if (now < target) this.state = this.reactor.run(this.state, [{ type: 'ClockAdvanced', fromMs: now, toMs: target }], rng, applied);
    applied.forEach((a, i) => this.log.push({ seq: first + i, atMs: a.atMs, batch: first, event: a.event }));
    return applied.map((a) => a.event);
  }

  host(name: string): Host {
    const h = tget(this.state.hosts, name);
    if (!h) throw new Error(`test setup: no host ${name}`);
    return h;
  }

  /** The swarm node a host currently is. */
  node(hostName: string): SwarmNode {
    const n = selectHostNode(this.state, hostName);
    if (!n) throw new Error(`test setup: host ${hostName} is not in the swarm`);
    return n;
  }

  leader(): string | undefined {
    return selectLeader(this.state)?.hostname;
  }

  /** Events logged after `seq`, optionally of some types only. */
  since(seq: number, ...types: EngineEvent['type'][]): Rec[] {
    return this.log.filter((r) => r.seq > seq && (types.length === 0 || types.includes(r.event.type)));
  }

  get lastSeq(): number {
    return this.log.length;
  }
}

/** The earliest deadline any controller has pending (what `engine advance` stops at). */
export function nextDeadline(s: State): number | null {
  let min: number | null = null;
  for (const c of CONTROLLERS) {
    const d = c.nextDeadline?.(s) ?? null;
    if (d !== null && (min === null || d < min)) min = d;
  }
  return min;
}
