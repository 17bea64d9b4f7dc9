/**
 * How far apart snapshots are: by the size of the tables that changed since the last one, short for small
 * states (rewinds replay few events), about one event per changed entity for big ones (cheap snapshots).
 */
import { describe, expect, it } from 'vitest';
import { entityCount, SNAPSHOT_MIN_EVENTS, SNAPSHOT_PER_ENTITY_AT_LEAST, snapshotInterval } from '../../src/engine/session.js';
import { initialState } from '../../src/state/index.js';
import type { State } from '../../src/state/types.js';

/** A state whose tables claim these sizes (only their counts matter here). */
function sized(sizes: Partial<Record<'nodes' | 'hosts' | 'links' | 'routes', number>>): State {
  const s = initialState() as unknown as Record<string, { n: number; t: null }>;
  for (const [k, n] of Object.entries(sizes)) s[k] = { n: n!, t: null };
  return s as unknown as State;
}

describe('snapshot interval', () => {
  it('is SNAPSHOT_MIN_EVENTS for small states', () => {
    expect(snapshotInterval(initialState())).toBe(SNAPSHOT_MIN_EVENTS);
    expect(snapshotInterval(sized({ nodes: 1000, hosts: 1000, links: 6000 }))).toBe(SNAPSHOT_MIN_EVENTS);
  });

  it('tends to one event per entity as the state grows', () => {
    const big = snapshotInterval(sized({ links: 400_000, routes: 100_000 }));
    expect(big).toBeGreaterThan(0.9 * 500_000);
    expect(big).toBeLessThanOrEqual(500_000);
    const mid = snapshotInterval(sized({ links: 50_000 }));
    expect(mid).toBe(25_000);
  });

  it('counts only the tables that changed since the last snapshot', () => {
    const s = sized({ nodes: 1000, links: 400_000, routes: 100_000 });
    const t = s as unknown as Record<string, object>;
    const unchanged = new WeakSet<object>([t.links!, t.routes!]);
    expect(entityCount(s)).toBe(501_000);
    expect(entityCount(s, unchanged)).toBe(1000);
    // 1,000 nodes relabelled among 500,000 untouched links and routes: packing the nodes is cheap, but
    // loading the snapshot costs about as much as replaying a quarter of the state's entities
    expect(snapshotInterval(s, unchanged)).toBe(Math.round(501_000 * SNAPSHOT_PER_ENTITY_AT_LEAST));
    const small = sized({ nodes: 1000, hosts: 1000, links: 4000 });
    const t2 = small as unknown as Record<string, object>;
    expect(snapshotInterval(small, new WeakSet<object>([t2.hosts!, t2.links!]))).toBe(SNAPSHOT_MIN_EVENTS);
  });
});
