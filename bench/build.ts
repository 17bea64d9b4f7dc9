/**
 * Builds large logs fast, in process, through the real Session API: execute(driver) → reactor → flush.
 * The swarm itself starts with the real CLI (`host add`, `swarm init`); the other hosts and nodes and the
 * updates are emitted as events by drivers, many per batch, so a million events take a minute, not hours.
 */
import type { EngineEvent } from '../events/index.js';
import { intToIp, ipToInt } from '../src/commands/units.js';
import { ENGINE_VERSION, FLUSH_EVERY_EVENTS, Session } from '../src/engine/session.js';
import { swarmId } from '../src/sim/ids.js';
import { tget, tvalues } from '../src/state/table.js';
import { engineInProcess, lcg } from './util.js';

/** A swarm of `nodes` nodes (h1 the manager, the rest workers) in a new log at `db`; returns the node IDs. */
export async function buildSwarm(db: string, nodes: number): Promise<string[]> {
  await engineInProcess(db, 'host', 'add', 'h1');
  await engineInProcess(db, '--on', 'h1', 'swarm', 'init');
  const session = await Session.open(db);
  try {
    const base = ipToInt('10.10.0.1');
    // 100 hosts per batch: each a HostAdded, then the NodeJoined its `swarm join` would record.
    for (let i = 2; i <= nodes; i += 100) {
      session.execute({ argv: ['bench', 'add-nodes', String(i)], on: null }, (io) => {
        for (let k = i; k < Math.min(i + 100, nodes + 1); k++) {
          const name = `h${k}`;
          const ip = intToIp(base + k);
          io.emit([{ type: 'HostAdded', name, ip, nanoCpus: 2e9, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64', labels: {}, engineVersion: ENGINE_VERSION }]);
          io.emit([{ type: 'NodeJoined', nodeId: swarmId(io.rng), host: name, role: 'worker', advertiseAddr: ip, dataPathAddr: ip, availability: 'active' }]);
        }
      });
      if (session.pendingEvents >= FLUSH_EVERY_EVENTS) await session.flushBehind();
    }
    return tvalues(session.state.nodes).map((n) => n.id).sort();
  } finally {
    await session.close();
  }
}

/**
 * Node updates as `docker node update` records them: label changes (8 keys per node, values vary)
 * and, one in ten, an availability flip. Deterministic for a given `rand`.
 */
export function updateEvents(session: Session, nodeIds: readonly string[], count: number, rand: () => number, serial: { n: number }): EngineEvent[] {
  const out: EngineEvent[] = [];
  // Availability as it will be after the events already in `out` (they are not applied yet).
  const avail = new Map<string, 'active' | 'pause'>();
  for (let i = 0; i < count; i++) {
    const id = nodeIds[Math.floor(rand() * nodeIds.length)]!;
    const j = serial.n++;
    if (j % 10 === 9) {
      const from = avail.get(id) ?? (tget(session.state.nodes, id)!.availability as 'active' | 'pause');
      const to = from === 'active' ? 'pause' : 'active';
      avail.set(id, to);
      out.push({ type: 'NodeAvailabilityChanged', nodeId: id, from, to });
    } else {
      out.push({ type: 'NodeLabelsChanged', nodeId: id, added: { [`k${j % 8}`]: `v${j}` }, removed: [] });
    }
  }
  return out;
}

/** Appends `total` update events in batches of `perBatch` (one execute each), with group commit as `engine run` does. */
export async function appendUpdates(db: string, nodeIds: readonly string[], total: number, perBatch: number, seed = 7): Promise<void> {
  const session = await Session.open(db);
  const rand = lcg(seed);
  const serial = { n: 0 };
  try {
    for (let done = 0; done < total; done += perBatch) {
      const events = updateEvents(session, nodeIds, Math.min(perBatch, total - done), rand, serial);
      session.execute({ argv: ['bench', 'updates', String(done)], on: null }, (io) => io.emit(events));
      if (session.pendingEvents >= FLUSH_EVERY_EVENTS) await session.flushBehind();
    }
  } finally {
    await session.close();
  }
}
