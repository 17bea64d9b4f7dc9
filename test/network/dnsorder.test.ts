/**
 * The embedded DNS server as libnetwork answers a container on several networks (sandbox.go
 * ResolveName / resolveName, endpoint.go ByNetworkType, Network.ResolveName, resolver.go): the
 * endpoints are walked in the sandbox's order (outside docker_gwbridge first, non-internal first, those
 * with a gateway first, then by network name; on a swarm node swarm networks, then the ingress, then
 * local ones) and the first network that knows the name answers alone; `name.network` asks one network;
 * names are case-insensitive; a multi-address answer is shuffled (seeded, so deterministic).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, given, ifaces, netInspect, nslookup, swarm } from './support.js';

const cli = clis();

/** The addresses `exec FROM nslookup NAME` prints, in the order printed. */
async function answerOrder(c: TestCli, from: string, name: string): Promise<string[]> {
  return [...(await c.ok('exec', from, 'nslookup', name)).matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]!);
}

describe('a container on two bridges asking for one that is on both', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    // ca joins frontend first, then backend; so does cb. Both are user-defined bridges with a gateway.
    // cc is on inner (internal) first, then frontend; ca joins inner last.
    await given(c, 'host add h1\nnetwork create frontend\nnetwork create backend\nnetwork create --internal inner\n'
      + 'run -d --name ca --network frontend busybox\nnetwork connect backend ca\nrun -d --name cb --network frontend busybox\nnetwork connect backend cb\n'
      + 'run -d --name cc --network inner busybox\nnetwork connect frontend cc\nnetwork connect inner ca\n');
  });

  it('answers from one network only: backend sorts before frontend by name (not the merged pair)', async () => {
    const cb = (await ifaces(c, 'cb')).map((i) => `${i.name} ${i.inet[0]}`);
    expect(cb).toEqual(['eth0 172.18.0.3/16', 'eth1 172.19.0.3/16']);
    expect(await answerOrder(c, 'ca', 'cb')).toEqual(['172.19.0.3']);
  });

  it('`name.network` asks that network; names are case-insensitive', async () => {
    expect(await nslookup(c, 'ca', 'cb.frontend')).toEqual(['172.18.0.3']);
    expect(await nslookup(c, 'ca', 'cb.backend')).toEqual(['172.19.0.3']);
    expect(await nslookup(c, 'ca', 'CB.FrontEnd')).toEqual(['172.18.0.3']);
    expect(await nslookup(c, 'ca', 'cb.nosuchnet')).toEqual([]);
    // The printed name is the one asked.
    expect(await c.ok('exec', 'ca', 'nslookup', 'CB')).toContain('Name:\tCB\nAddress: 172.19.0.3\n');
  });

  it('an internal network comes after the others, whatever its name', async () => {
    const cc = (await ifaces(c, 'cc')).map((i) => i.inet[0]!.split('/')[0]);
    const ca = (await ifaces(c, 'ca')).map((i) => i.inet[0]!.split('/')[0]);
    expect(ca).toHaveLength(3);
    // Asked from cb (frontend, backend): cc answers on frontend, the network they share.
    expect(await answerOrder(c, 'cb', 'cc')).toEqual([cc[1]]);
    // Asked from cc (inner, frontend): ca is on both; frontend (not internal) answers, though inner joined first.
    expect(await answerOrder(c, 'cc', 'ca')).toEqual([ca[0]]);
    expect(await nslookup(c, 'cc', 'ca.inner')).toEqual([ca[2]]);
  });

  it('ping uses the same answer', async () => {
    expect((await c.ok('exec', 'ca', 'ping', '-c', '1', 'cb')).split('\n')[0]).toBe('PING cb (172.19.0.3): 56 data bytes');
  });
});

describe('a task on the ingress, an internal overlay and an encrypted one', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay --internal back\nnetwork create -d overlay --opt encrypted sec\n'
      + 'service create -d --name db --network back --network sec -p 8080:80 redis\nservice create -d --name cache --endpoint-mode dnsrr --replicas 6 --network sec redis\n');
  });

  it('its service name answers the VIP of the non-internal overlay only', async () => {
    const svc = JSON.parse(await c.ok('service', 'inspect', 'db', '--format', '{{json .Endpoint.VirtualIPs}}')) as { NetworkID: string; Addr: string }[];
    const byNet: Record<string, string> = {};
    for (const v of svc) byNet[(await netInspect(c, v.NetworkID)).Name] = v.Addr.split('/')[0]!;
    expect(Object.keys(byNet).sort()).toEqual(['back', 'ingress', 'sec']);
    expect(await answerOrder(c, 'db.1', 'db')).toEqual([byNet.sec]);
    expect(await nslookup(c, 'db.1', 'db.back')).toEqual([byNet.back]);
    // The ingress carries no names.
    expect(await nslookup(c, 'db.1', 'db.ingress')).toEqual([]);
  });

  it('a multi-address answer is shuffled, the same way each time at the same instant', async () => {
    const first = await answerOrder(c, 'db.1', 'cache');
    expect(first).toHaveLength(6);
    const num = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const sorted = [...first].sort((a, b) => num(a) - num(b));
    expect(await nslookup(c, 'db.1', 'tasks.cache')).toEqual(sorted);
    // Seed 1 draws a permutation that is not the identity here: the shuffle happened.
    expect(first).not.toEqual(sorted);
    expect(await answerOrder(c, 'db.1', 'cache')).toEqual(first);
  });

  it('the server is 127.0.0.11 even for a task on the ingress alone, which resolves no names', async () => {
    await given(c, 'service create -d --name edge -p 9090:80 nginx\n');
    const r = await c.run('exec', 'edge.1', 'nslookup', 'db');
    expect(r.stdout).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n');
    expect(r.stderr).toBe("Error: ** server can't find db: NXDOMAIN\n");
  });
});

describe('a container on a bridge and an attachable overlay, on a swarm node', () => {
  it('asks the overlay first (ByNetworkType), though the bridge sorts first in the sandbox', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --attachable ov\nnetwork create br\n'
      + 'run -d --name a1 --network br busybox\nnetwork connect ov a1\nrun -d --name b1 --network br busybox\nnetwork connect ov b1\n');
    const b1 = (await ifaces(c, 'b1')).map((i) => `${i.name} ${i.inet[0]!.split('/')[0]}`);
    expect(b1[0]).toMatch(/^eth0 172\.\d+\.0\.3$/);
    expect(b1[1]).toMatch(/^eth1 10\.0\.1\.\d+$/);
    expect(await answerOrder(c, 'a1', 'b1')).toEqual([b1[1]!.split(' ')[1]]);
    expect(await nslookup(c, 'a1', 'b1.br')).toEqual([b1[0]!.split(' ')[1]]);
  });
});
