/**
 * The scheduler's `no suitable node (…)` text, as swarmkit's Pipeline.Explain builds it
 * (manager/scheduler/pipeline.go, filter.go): each filter's Explain(count), most failures first,
 * ties in pipeline order, joined with `; `; no failures at all is just `no suitable node`.
 */
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/controllers/scheduler/index.js';

type F = Parameters<typeof explain>[0] extends Map<infer K, number> ? K : never;
const of = (...entries: [F, number][]) => explain(new Map(entries));

describe('explain', () => {
  it('no nodes at all', () => {
    expect(of()).toBe('no suitable node');
  });

  it('singular and plural, per filter', () => {
    expect(of(['ready', 1])).toBe('no suitable node (1 node not available for new tasks)');
    expect(of(['ready', 2])).toBe('no suitable node (2 nodes not available for new tasks)');
    expect(of(['resources', 1])).toBe('no suitable node (insufficient resources on 1 node)');
    expect(of(['resources', 3])).toBe('no suitable node (insufficient resources on 3 nodes)');
    expect(of(['constraints', 1])).toBe('no suitable node (scheduling constraints not satisfied on 1 node)');
    expect(of(['platform', 1])).toBe('no suitable node (unsupported platform on 1 node)');
    expect(of(['platform', 4])).toBe('no suitable node (unsupported platform on 4 nodes)');
    expect(of(['hostports', 2])).toBe('no suitable node (host-mode port already in use on 2 nodes)');
    // MaxReplicasFilter.Explain ignores the count.
    expect(of(['maxreplicas', 5])).toBe('no suitable node (max replicas per node limit exceed)');
  });

  it('sorted by count, highest first; equal counts keep the pipeline order', () => {
    expect(of(['ready', 1], ['resources', 2], ['constraints', 3])).toBe(
      'no suitable node (scheduling constraints not satisfied on 3 nodes; insufficient resources on 2 nodes; 1 node not available for new tasks)');
    expect(of(['constraints', 2], ['ready', 2])).toBe('no suitable node (2 nodes not available for new tasks; scheduling constraints not satisfied on 2 nodes)');
  });
});
