/**
 * The key views of the shipped service replays (test/replays.test.ts already checks that they replay
 * byte for byte): seed 000's frontier service on a growing swarm — no rebalancing onto node-4, killed
 * tasks replaced on node-4 with new IDs, and after node-4's crash every running task elsewhere — and
 * seed 001's secrets and stack, the secret read back by exec.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { clis } from './support.js';

const replays = join(__dirname, '..', '..', 'replays');
const cli = clis();

/** `engine run FILE` (not quiet) prints `$ engine LINE` then that line's output: the views, in order. */
function sections(out: string): { cmd: string; out: string }[] {
  return out.split(/^\$ /m).filter(Boolean).map((chunk) => {
    const nl = chunk.indexOf('\n');
    return { cmd: chunk.slice(0, nl).replace(/^(! )?engine /, ''), out: chunk.slice(nl + 1) };
  });
}

/** Stack output without its network lines (the stack's `<stack>_default` overlay belongs to the networking suite). */
const noNet = (out: string): string => out.split('\n').filter((l) => !/^(Creating|Removing) network /.test(l)).join('\n');

/** The rows of a `service ps` / `docker ps` table, split on runs of 2+ spaces. */
function rows(table: string): string[][] {
  return table.split('\n').slice(1).filter(Boolean).map((l) => l.split(/ {2,}/).map((c) => c.trim()));
}

describe('replays/frontier.swarm (seed 000)', () => {
  let views: { cmd: string; out: string }[];
  const view = (cmd: string, nth = 0) => views.filter((v) => v.cmd === cmd)[nth]!.out;
  beforeAll(async () => {
    const c: TestCli = cli();
    const r = await c.run('run', join(replays, 'frontier.swarm'));
    expect(r.code, r.stderr).toBe(0);
    views = sections(r.stdout);
  });

  it('3 tasks on 3 nodes; node-3 then takes only new tasks; the first three never move', () => {
    const first = rows(view('service ps frontier', 0));
    expect(first.map((r) => r[3]).sort()).toEqual(['master1', 'node-1', 'node-2']);
    const second = rows(view('service ps frontier', 1));
    expect(second).toHaveLength(10);
    expect(second.slice(0, 3).map((r) => [r[0], r[3]])).toEqual(first.map((r) => [r[0], r[3]]));
    const onNode3 = second.filter((r) => r[3] === 'node-3').map((r) => Number(r[1]!.split('.')[1]));
    expect(onNode3.length).toBeGreaterThanOrEqual(2); // 1 to level it, then 1 or 2 more by the seeded tie-break
    expect(onNode3.every((slot) => slot > 3)).toBe(true);
    const counts = Object.values(second.reduce<Record<string, number>>((a, r) => ({ ...a, [r[3]!]: (a[r[3]!] ?? 0) + 1 }), {})).sort();
    expect(counts).toEqual([2, 2, 3, 3]);
  });

  it('node-4 joins empty; at scale 20 it receives only new tasks (slots 11-20), 4 of them', () => {
    expect(view('--on node-4 ps', 0).split('\n').filter(Boolean)).toHaveLength(1);
    const names = rows(view('--on node-4 ps', 1)).map((r) => r[r.length - 1]!);
    expect(names).toHaveLength(4);
    for (const n of names) {
      const [svc, slot, id] = n.split('.');
      expect(svc).toBe('frontier');
      expect(Number(slot)).toBeGreaterThan(10);
      expect(id).toMatch(/^[0-9a-z]{25}$/);
    }
  });

  it('its killed tasks fail with exit 137 and come back on node-4, in the same slots, with new IDs, after 5 s', () => {
    const killed = rows(view('--on node-4 ps', 1)).map((r) => r[r.length - 1]!);
    expect(view('--on node-4 kill $(--on node-4 ps -q)').trim().split('\n')).toHaveLength(4);
    const ps = rows(view('service ps frontier --filter node=node-4'));
    expect(ps).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) {
      const [fresh, old] = [ps[i]!, ps[i + 1]!];
      expect(fresh.slice(1, 6)).toEqual([fresh[1], 'nginx:latest', 'node-4', 'Ready', 'Ready less than a second ago']);
      expect(old.slice(1, 7)).toEqual([`\\_ ${fresh[1]}`, 'nginx:latest', 'node-4', 'Shutdown', 'Failed less than a second ago', '"task: non-zero exit (137)"']);
      expect(killed.some((n) => n.startsWith(`${fresh[1]}.${old[0]}`))).toBe(true);
    }
    const back = rows(view('--on node-4 ps', 2)).map((r) => r[r.length - 1]!);
    expect(back.map((n) => n.split('.')[1]).sort()).toEqual(killed.map((n) => n.split('.')[1]).sort());
    expect(back.filter((n) => killed.includes(n))).toEqual([]);
    const freshIds = ps.filter((_, i) => i % 2 === 0).map((r) => r[0]!);
    expect(back.map((n) => n.split('.')[2]!.slice(0, 12)).sort()).toEqual([...freshIds].sort());
  });

  it('node-4 crashes: Down after 15 s; its tasks still count (24/20) and every running task is elsewhere', () => {
    expect(view('node ls')).toMatch(/node-4 +Down +Active/);
    expect(rows(view('service ls'))[0]!.slice(1, 5)).toEqual(['frontier', 'replicated', '24/20', 'nginx:latest']);
    const running = rows(view('service ps frontier --filter desired-state=running'));
    expect(running).toHaveLength(20);
    expect(running.map((r) => r[1])).toEqual(Array.from({ length: 20 }, (_, i) => `frontier.${i + 1}`));
    expect(running.filter((r) => r[3] === 'node-4')).toEqual([]);
    expect(running.every((r) => r[4] === 'Running' && r[5]!.startsWith('Running'))).toBe(true);
  });
});

describe('replays/stack-secrets.swarm (seed 001)', () => {
  let views: { cmd: string; out: string }[];
  const view = (cmd: string) => views.find((v) => v.cmd === cmd)!.out;
  beforeAll(async () => {
    const c = cli();
    const r = await c.run('run', join(replays, 'stack-secrets.swarm'));
    expect(r.code, r.stderr).toBe(0);
    views = sections(r.stdout);
  });

  it('the secret from STDIN is never shown by inspect but is read back by exec in both services', () => {
    expect(view('secret inspect mysql_pass')).not.toContain('abc123');
    expect(view('exec mysql.1 cat /run/secrets/mysql_pass')).toBe('abc123\n');
    expect(view('exec wordpress_mysql.1 cat /run/secrets/mysql_pass')).toBe('abc123\n');
    expect(view('secret rm mysql_pass')).toBe("Error: Error response from daemon: rpc error: code = InvalidArgument desc = secret 'mysql_pass' is in use by the following service: mysql\n");
  });

  it('the stack: its services, its tasks (mysql on the manager), scaled with service scale, then removed', () => {
    expect(noNet(view('stack deploy --compose-file replays/stack-secrets/docker-compose.yml wordpress'))).toBe('Creating secret wordpress_mysql_pass\nCreating service wordpress_mysql\nCreating service wordpress_web\n');
    expect(rows(view('stack services wordpress')).map((r) => r.slice(1))).toEqual([
      ['wordpress_mysql', 'replicated', '1/1', 'mysql:5.7', ''],
      ['wordpress_web', 'replicated', '3/3', 'wordpress:latest', '*:8080->80/tcp'],
    ]);
    const tasks = rows(view('stack ps wordpress'));
    expect(tasks.find((r) => r[1] === 'wordpress_mysql.1')![3]).toBe('manager1');
    const scaled = rows(view('stack ps wordpress --filter desired-state=running'));
    expect(scaled.map((r) => r[1])).toEqual(['wordpress_mysql.1', ...[1, 2, 3, 4, 5].map((i) => `wordpress_web.${i}`)]);
    expect(noNet(view('stack rm wordpress'))).toBe('Removing service wordpress_mysql\nRemoving service wordpress_web\nRemoving secret wordpress_mysql_pass\n');
    expect(views.at(-1)).toEqual({ cmd: 'secret ls', out: 'ID        NAME      DRIVER    CREATED   UPDATED\n' });
  });
});
