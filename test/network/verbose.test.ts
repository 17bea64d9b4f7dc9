/**
 * `network inspect --verbose` (libnetwork agent.go Services): what networkdb knows of every container on a
 * swarm overlay the node has joined, grouped by service — VIP, ingress ports (ingress only), the local load
 * balancer's firewall mark, and per task its container name, endpoint, address and node VTEP.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, ipvs, netInspect, swarm, vips, type Json } from './support.js';

const cli = clis();

describe('network inspect --verbose', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'network create -d overlay --attachable back',
      'service create -d --name web --replicas 2 -p 8080:80 --network back nginx',
      'service create -d --name dns --endpoint-mode dnsrr --network back --constraint node.hostname==w1 nginx',
      '--on m1 run -d --name solo --network back busybox',
    ].join('\n') + '\n');
  });

  async function services(net: string, on: string): Promise<Json> {
    return JSON.parse(await c.ok('--on', on, 'network', 'inspect', '--verbose', net, '-f', '{{json .Services}}')) as Json;
  }

  /** Every container endpoint of a network, cluster-wide, by container name: [endpoint ID, IP, the node's address]. */
  async function endpoints(net: string): Promise<Map<string, [string, string, string]>> {
    const out = new Map<string, [string, string, string]>();
    for (const h of ['m1', 'w1']) {
      const n = await netInspect(c, net, h);
      for (const e of Object.values(n.Containers as Record<string, Json>)) {
        if (!/-sbox$|endpoint$/.test(e.Name)) out.set(e.Name, [e.EndpointID, e.IPv4Address.split('/')[0], h === 'm1' ? '192.168.99.100' : '192.168.99.101']);
      }
    }
    return out;
  }

  it('on the ingress: the publishing service, its VIP, `Target: 80, Publish: 8080`, the mark of its IPVS service here, its tasks', async () => {
    const svc = await services('ingress', 'm1');
    expect(Object.keys(svc)).toEqual(['web']);
    const vip = (await vips(c, 'web')).find(([name]) => name === 'ingress')![1].split('/')[0];
    const marks = Object.keys(await ipvs(c, 'm1')).map((k) => Number(k.split(' ')[1]));
    expect(marks).toHaveLength(1);
    const eps = await endpoints('ingress');
    const names = (await c.ok('service', 'ps', '--no-trunc', '--format', '{{.Name}}.{{.ID}}', 'web')).trim().split('\n').sort();
    expect(svc.web).toEqual({
      VIP: vip, Ports: ['Target: 80, Publish: 8080'], LocalLBIndex: marks[0],
      Tasks: names.map((name) => ({ Name: name, EndpointID: eps.get(name)![0], EndpointIP: eps.get(name)![1], Info: { 'Host IP': eps.get(name)![2] } })),
    });
  });

  it('on a user overlay: no ports; a dnsrr service and a standalone container (under "") have VIP <nil>', async () => {
    const svc = await services('back', 'w1');
    expect(Object.keys(svc)).toEqual(['', 'dns', 'web']);
    expect(svc[''].VIP).toBe('<nil>');
    expect(svc[''].LocalLBIndex).toBe(0);
    expect(svc[''].Tasks.map((t: Json) => t.Name)).toEqual(['solo']);
    expect([svc.dns.VIP, svc.dns.Ports, svc.dns.LocalLBIndex, svc.dns.Tasks.length]).toEqual(['<nil>', [], 0, 1]);
    expect(svc.web.Ports).toEqual([]);
    expect(svc.web.LocalLBIndex).toBeGreaterThanOrEqual(256);
    const eps = await endpoints('back');
    for (const t of Object.values(svc).flatMap((x: Json) => x.Tasks as Json[])) expect([t.EndpointID, t.EndpointIP, t.Info['Host IP']]).toEqual(eps.get(t.Name));
  });

  it('only with --verbose, and only for a swarm overlay the node has joined', async () => {
    expect(await c.ok('network', 'inspect', 'back', '-f', '{{json .Services}}')).toBe('null\n');
    expect(await c.ok('--on', 'm1', 'network', 'inspect', '-v', 'bridge', '-f', '{{json .Services}}')).toBe('null\n');
  });
});
