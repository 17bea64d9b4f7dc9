/**
 * PlatformFilter: the CLI records the platforms of the image's manifest list in Placement.Platforms when
 * it resolves the image (the simulated registry, src/sim/registry.ts); swarmkit then places tasks only on
 * nodes whose OS and architecture are among them (x86_64 = amd64, aarch64 = arm64).
 */
import { describe, expect, it } from 'vitest';
import { clis, given } from '../services/support.js';

const cli = clis();
type Row = { Name: string; Node: string; CurrentState: string; Error: string };
const rows = async (c: ReturnType<ReturnType<typeof clis>>, svc: string): Promise<Row[]> =>
  (await c.ok('service', 'ps', '--no-trunc', svc, '--format', 'json')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);

const cluster = [
  'host add m1 --platform linux/x86_64', 'host add arm1 --platform linux/aarch64', 'host add arm2 --platform linux/aarch64',
  '--on m1 swarm init',
  '--on arm1 swarm join --token $(swarm join-token -q worker) m1:2377',
  '--on arm2 swarm join --token $(swarm join-token -q worker) m1:2377',
].join('\n') + '\n';

describe('platforms', () => {
  it('an amd64-only image runs only on the x86_64 node; a multi-arch one anywhere; inspect shows the platforms', async () => {
    const c = cli();
    await given(c, cluster + 'service create -d --name db --replicas 3 mysql:5.7\nservice create -d --name web --replicas 3 nginx\nadvance 10s\n');
    const db = await rows(c, 'db');
    expect(db.filter((r) => r.CurrentState.startsWith('Running')).map((r) => r.Node)).toEqual(['m1', 'm1', 'm1']);
    expect((await rows(c, 'web')).map((r) => r.Node).sort()).toEqual(['arm1', 'arm2', 'm1']);
    const placement = JSON.parse(await c.ok('service', 'inspect', 'db', '--format', '{{json .Spec.TaskTemplate.Placement}}'));
    expect(placement).toEqual({ Platforms: [{ Architecture: 'amd64', OS: 'linux' }] });
  });

  it('no node of the image\'s platforms: pending, with swarmkit\'s explanation; --no-resolve-image records none', async () => {
    const c = cli();
    await given(c, cluster + 'node update --availability drain m1\nservice create -d --name db mysql:5.7\nadvance 10s\n');
    const [db] = await rows(c, 'db');
    expect(db!.CurrentState).toMatch(/^Pending /);
    // m1 is drained (ReadyFilter refuses it first), the two arm64 nodes fail the PlatformFilter.
    expect(db!.Error).toBe('"no suitable node (unsupported platform on 2 nodes; 1 node not available for new tasks)"');
    await given(c, 'service create -d --name any --no-resolve-image mysql:5.7\nadvance 10s\n');
    expect((await rows(c, 'any'))[0]!.CurrentState).toMatch(/^Running /);
    expect(JSON.parse(await c.ok('service', 'inspect', 'any', '--format', '{{json .Spec.TaskTemplate.Placement}}'))).toEqual({});
  });
});
