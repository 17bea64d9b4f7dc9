/**
 * `docker stack deploy | ls | services | ps | rm` from a compose file written to a temp folder
 * (docker/cli cli/command/stack and cli/compose/convert): `<stack>_<name>` services, secrets and
 * volumes labelled com.docker.stack.namespace; deploy.replicas, placement, restart_policy and
 * update_config; a redeploy updates in place; bad files are refused with nothing appended.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clis, current, given, inspect, ls, perNode, ps, refusedWith, swarm } from '../services/support.js';

const cli = clis();
const dirs: string[] = [];
/** Stack output without its network lines (the stack's `<stack>_default` overlay belongs to the networking suite). */
const noNet = (out: string): string => out.split('\n').filter((l) => !/^(Creating|Removing) network /.test(l)).join('\n');
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder holding the compose file (and the files it names); returns the compose file's path. */
function project(compose: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'swarm-engine-stack-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, compose);
  return file;
}

const COMPOSE = `version: "3.8"
services:
  web:
    image: nginx:1.25
    ports:
      - "8080:80"
    environment:
      DB_PASSWORD_FILE: /run/secrets/db_pw
    secrets:
      - db_pw
    deploy:
      replicas: 3
      placement:
        constraints: [node.role == worker]
      restart_policy:
        condition: on-failure
        delay: 10s
        max_attempts: 3
      update_config:
        parallelism: 2
        delay: 10s
        order: start-first
  db:
    image: mysql:5.7
    volumes:
      - data:/var/lib/mysql
    secrets:
      - source: db_pw
        target: mysql_pw
    deploy:
      placement:
        constraints:
          - node.role == manager
secrets:
  db_pw:
    file: ./pw.txt
volumes:
  data:
`;

describe('stack deploy', () => {
  it('creates <stack>_ secrets and services with the compose settings; ls, services, ps; exec reads the secret', async () => {
    const c = cli();
    const file = project(COMPOSE, { 'pw.txt': 'stack-secret' });
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] });
    expect(noNet(await c.ok('stack', 'deploy', '--compose-file', file, 'app'))).toBe('Creating secret app_db_pw\nCreating service app_db\nCreating service app_web\n');

    expect(await c.ok('stack', 'ls')).toBe('NAME      SERVICES\napp       2\n');
    const services = (await c.ok('stack', 'services', 'app', '--format', 'json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(services.map((r) => [r.Name, r.Mode, r.Replicas, r.Image, r.Ports])).toEqual([
      ['app_db', 'replicated', '1/1', 'mysql:5.7', ''],
      ['app_web', 'replicated', '3/3', 'nginx:1.25', '*:8080->80/tcp'],
    ]);
    expect((await ls(c)).map((r) => r.Name)).toEqual(['app_db', 'app_web']);

    const tasks = (await c.ok('stack', 'ps', 'app', '--format', 'json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(tasks.map((t) => t.Name)).toEqual(['app_db.1', 'app_web.1', 'app_web.2', 'app_web.3']);
    expect(perNode(await current(c, 'app_web'))).toEqual({ w1: expect.any(Number), w2: expect.any(Number) });
    expect((await current(c, 'app_db'))[0]!.Node).toBe('m1');

    const web = (await inspect(c, 'app_web')).Spec;
    expect(web.Labels).toEqual({ 'com.docker.stack.namespace': 'app', 'com.docker.stack.image': 'nginx:1.25' });
    expect(web.TaskTemplate.ContainerSpec.Labels).toEqual({ 'com.docker.stack.namespace': 'app' });
    expect(web.TaskTemplate.ContainerSpec.Env).toEqual(['DB_PASSWORD_FILE=/run/secrets/db_pw']);
    expect(web.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 10e9, MaxAttempts: 3 });
    expect(web.TaskTemplate.Placement.Constraints).toEqual(['node.role == worker']);
    expect(web.UpdateConfig).toEqual({ Parallelism: 2, Delay: 10e9, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'start-first' });
    expect(web.Mode).toEqual({ Replicated: { Replicas: 3 } });

    // The stack's secret, named <stack>_<name>, mounted at the target each service asked for.
    expect(JSON.parse(await c.ok('secret', 'inspect', 'app_db_pw'))[0].Spec.Labels).toEqual({ 'com.docker.stack.namespace': 'app' });
    expect(await c.ok('exec', 'app_db.1', 'cat', '/run/secrets/mysql_pw')).toBe('stack-secret');
    expect(await c.ok('exec', 'app_web.1', 'cat', '/run/secrets/db_pw')).toBe('stack-secret');
    // The named volume, <stack>_data, on the db task's node.
    const db = (await inspect(c, 'app_db')).Spec.TaskTemplate.ContainerSpec.Mounts;
    expect(db).toEqual([{ Type: 'volume', Source: 'app_data', Target: '/var/lib/mysql' }]);
    expect(await c.ok('--on', 'm1', 'volume', 'ls', '-q')).toBe('app_data\n');
  });

  it('a redeploy updates the services in place, following update_config', async () => {
    const c = cli();
    const file = project(COMPOSE, { 'pw.txt': 'x' });
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, `stack deploy -c ${file} app\n`);
    const ids = Object.fromEntries((await ls(c)).map((r) => [r.Name, r.ID]));
    const dbTask = (await current(c, 'app_db'))[0]!.ID;
    // Unchanged compose: the services are "updated" but nothing restarts.
    const fullIds = { app_db: (await inspect(c, 'app_db')).ID, app_web: (await inspect(c, 'app_web')).ID };
    expect(noNet(await c.ok('stack', 'deploy', '-c', file, 'app'))).toBe(`Updating service app_db (id: ${fullIds.app_db})\nUpdating service app_web (id: ${fullIds.app_web})\n`);
    expect((await current(c, 'app_db'))[0]!.ID).toBe(dbTask);

    const changed = project(COMPOSE.replace('image: nginx:1.25', 'image: nginx:1.26').replace('replicas: 3', 'replicas: 4'), { 'pw.txt': 'x' });
    await given(c, `stack deploy -c ${changed} app\n`);
    expect((await ls(c)).map((r) => [r.Name, r.ID, r.Replicas])).toEqual([['app_db', ids.app_db, '1/1'], ['app_web', ids.app_web, '4/4']]);
    // parallelism 2, delay 10s: two slots now, the rest 10 s later.
    const imgs = () => current(c, 'app_web').then((rows) => rows.map((r) => r.Image));
    expect((await imgs()).filter((i) => i === 'nginx:1.26')).toHaveLength(2 + 1);
    await given(c, 'advance 10s\n');
    expect(await imgs()).toEqual(['nginx:1.26', 'nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
    expect((await current(c, 'app_db'))[0]!.ID).toBe(dbTask);
  });

  it('service commands work on stack services; stack rm removes services and secrets', async () => {
    const c = cli();
    const file = project(COMPOSE, { 'pw.txt': 'x' });
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, `stack deploy -c ${file} app\nservice scale -d app_web=5\n`);
    expect((await c.ok('stack', 'ps', 'app', '--filter', 'desired-state=running', '-q')).trim().split('\n')).toHaveLength(6);
    expect(noNet(await c.ok('stack', 'rm', 'app'))).toBe('Removing service app_db\nRemoving service app_web\nRemoving secret app_db_pw\n');
    expect(await c.ok('stack', 'ls')).toBe('NAME      SERVICES\n');
    expect(await ls(c)).toEqual([]);
    expect(await c.ok('secret', 'ls', '-q')).toBe('');
    expect(await ps(c, 'app_web').catch((e: Error) => e.message)).toMatch(/no such service: app_web/);
    // Nothing left: a note on stderr, exit 0 (docker/cli stack rm and stack services); stack ps is an error.
    expect(await c.run('stack', 'rm', 'app')).toEqual({ code: 0, stdout: '', stderr: 'Nothing found in stack: app\n' });
    expect(await c.run('stack', 'services', 'app')).toEqual({ code: 0, stdout: '', stderr: 'Nothing found in stack: app\n' });
    expect(await refusedWith(c, 'stack', 'ps', 'app')).toBe('Error: nothing found in stack: app');
  });
});

describe('bad compose files are refused with nothing appended', () => {
  it.each<[string, string, Record<string, string>, string]>([
    ['an undefined secret', 'services:\n  web:\n    image: nginx\n    secrets: [nope]\n', {}, 'Error: service "web" refers to undefined secret nope: invalid compose project'],
    ['an undefined volume', 'services:\n  web:\n    image: nginx\n    volumes: ["nope:/data"]\n', {}, 'Error: service "web" refers to undefined volume nope: invalid compose project'],
    ['a bad constraint', 'services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints: ["node.role=worker"]\n', {}, 'Error: failed to create service app_web: Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !='],
    ['an image outside the reference grammar', 'services:\n  web:\n    image: NGINX\n', {}, 'Error: failed to create service app_web: Error response from daemon: rpc error: code = InvalidArgument desc = ContainerSpec: "NGINX" is not a valid repository/tag'],
    ['a bad port', 'services:\n  web:\n    image: nginx\n    ports: ["1.2.3.4:80:80"]\n', {}, 'Error: services.ports: hostip is not supported'],
  ])('%s', async (_what, compose, files, line) => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    expect(await refusedWith(c, 'stack', 'deploy', '-c', project(compose, files), 'app')).toBe(line);
    expect(await ls(c)).toEqual([]);
  });

  it('a missing compose file or secret file; a secret created earlier in the same deploy is not kept', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    expect(await refusedWith(c, 'stack', 'deploy', '-c', '/nonexistent/compose.yml', 'app')).toBe('Error: open /nonexistent/compose.yml: no such file or directory');
    const file = project('services:\n  web:\n    image: nginx\n    secrets: [a, b]\nsecrets:\n  a:\n    file: ./a.txt\n  b:\n    file: ./b.txt\n', { 'a.txt': 'A' });
    expect(await refusedWith(c, 'stack', 'deploy', '-c', file, 'app')).toMatch(/^Error: open .*\/b\.txt: no such file or directory$/);
    expect(await c.ok('secret', 'ls', '-q')).toBe('');
  });
});
