/**
 * HostPortFilter: a host-mode published port can be held once per node. As swarmkit's scheduler builds
 * its node infos, only tasks past PENDING hold their ports: a global service's preassigned task is the
 * one being placed, not a user of the port.
 */
import { describe, expect, it } from 'vitest';
import { clis, given, swarm } from '../services/support.js';

const cli = clis();

const rows = async (c: ReturnType<ReturnType<typeof clis>>, svc: string): Promise<{ Node: string; CurrentState: string; Error: string }[]> =>
  (await c.ok('service', 'ps', '--no-trunc', svc, '--format', 'json')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Node: string; CurrentState: string; Error: string });

describe('host-mode ports', () => {
  it('a global service publishing a host port runs on every node; a second one on the same port waits, with swarmkit\'s explanation', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] },
      'service create -d --name agent --mode global --publish mode=host,published=9100,target=9100 prom/node-exporter\nadvance 10s\n');
    const agent = await rows(c, 'agent');
    expect(agent.map((r) => r.Node).sort()).toEqual(['m1', 'w1', 'w2']);
    for (const r of agent) expect(r.CurrentState).toMatch(/^Running /);
    await given(c, 'service create -d --name other --mode global --publish mode=host,published=9100,target=80 nginx\nadvance 10s\n');
    const other = await rows(c, 'other');
    expect(other).toHaveLength(3);
    for (const r of other) {
      expect(r.CurrentState).toMatch(/^Pending /);
      expect(r.Error).toBe('"no suitable node (host-mode port already in use on 1 node)"');
    }
    // Another port is free everywhere.
    await given(c, 'service create -d --name third --mode global --publish mode=host,published=9200,target=80 nginx\nadvance 10s\n');
    for (const r of await rows(c, 'third')) expect(r.CurrentState).toMatch(/^Running /);
  });

  it('replicated: one task per node holds the port; the rest stay pending', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 3 --publish mode=host,published=8080,target=80 nginx\nadvance 10s\n');
    const web = await rows(c, 'web');
    const running = web.filter((r) => r.CurrentState.startsWith('Running'));
    expect(running.map((r) => r.Node).sort()).toEqual(['m1', 'w1']);
    expect(web.filter((r) => r.CurrentState.startsWith('Pending')).map((r) => r.Error)).toEqual(['"no suitable node (host-mode port already in use on 2 nodes)"']);
  });
});
