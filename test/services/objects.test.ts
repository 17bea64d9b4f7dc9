/**
 * Secrets and configs (swarmkit controlapi secret.go/config.go, docker/cli cli/command/secret):
 * created from STDIN or a file, listed and inspected without their data (secrets) or with it (configs),
 * mounted into tasks under /run/secrets (read back with `exec`), refused removal while in use — and a
 * secret's value never stored in clear anywhere in the log's files.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clis, DAEMON, given, log, refusedWith, RPC, swarm } from './support.js';

const cli = clis();

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets', () => {
  it('from STDIN and from a file; ls and inspect never show the data; exec reads it under /run/secrets', async () => {
    const c = cli();
    const file = join(c.dir, '..', `pw-${process.pid}-${Date.now()}.txt`);
    writeFileSync(file, 'hunter2-from-file');
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'echo s3cr3t-value-42 | secret create db_pass -',
      `secret create --label team=db file_pass ${file}`,
      'service create -d --name db --secret db_pass --secret source=file_pass,target=other,mode=0400 nginx',
    ].join('\n') + '\n');

    const ls = (await c.ok('secret', 'ls')).split('\n');
    expect(ls[0]).toBe('ID                          NAME        DRIVER    CREATED                  UPDATED');
    expect(ls.slice(1, 3).map((l) => l.split(/\s{2,}/).slice(1, 2)[0])).toEqual(['db_pass', 'file_pass']);
    const json = (await c.ok('secret', 'ls', '--format', 'json')).trim().split('\n').map((l) => JSON.parse(l));
    expect(json.map((r) => [r.Name, r.Labels])).toEqual([['db_pass', ''], ['file_pass', 'team=db']]);
    for (const r of json) expect(r.ID).toMatch(/^[0-9a-z]{25}$/);

    const [inspected] = JSON.parse(await c.ok('secret', 'inspect', 'file_pass'));
    expect(Object.keys(inspected)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec']);
    expect(inspected.Spec).toEqual({ Name: 'file_pass', Labels: { team: 'db' } });
    expect(JSON.stringify(inspected)).not.toContain('hunter2');

    expect(await c.ok('exec', 'db.1', 'cat', '/run/secrets/db_pass')).toBe('s3cr3t-value-42\n');
    expect(await c.ok('exec', 'db.1', 'cat', '/run/secrets/other')).toBe('hunter2-from-file');
    expect(await c.ok('exec', 'db.1', 'ls', '/run/secrets')).toBe('db_pass\nother\n');

    // The service references it by ID and name, with the file's target, uid, gid and mode.
    const [svc] = JSON.parse(await c.ok('service', 'inspect', 'db'));
    expect(svc.Spec.TaskTemplate.ContainerSpec.Secrets).toEqual([
      { File: { Name: 'db_pass', UID: '0', GID: '0', Mode: 0o444 }, SecretID: json[0].ID, SecretName: 'db_pass' },
      { File: { Name: 'other', UID: '0', GID: '0', Mode: 0o400 }, SecretID: json[1].ID, SecretName: 'file_pass' },
    ]);
  });

  it('the value is never in clear in the log: not in any file of the db folder, not in log --json', async () => {
    const c = cli();
    const plain = 'Pl41nT3xt-Must-Not-Leak';
    await swarm(c, { managers: ['m1'] }, `echo ${plain} | secret create leak -\nservice create -d --name s --secret leak nginx\n`);
    expect(await c.ok('exec', 's.1', 'cat', '/run/secrets/leak')).toBe(`${plain}\n`);
    const forms = [plain, Buffer.from(`${plain}\n`).toString('base64'), Buffer.from(plain).toString('hex')].map((x) => Buffer.from(x));
    // The scenario file the helper wrote holds the command line; every other file is the log.
    const files = filesUnder(c.dir).filter((f) => !/scenario-.*\.swarm$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const form of forms) expect(bytes.includes(form), `${f} holds the secret`).toBe(false);
    }
    const events = await log(c);
    expect(JSON.stringify(events)).not.toContain(plain);
    const created = events.find((e) => e.type === 'SecretCreated')!;
    expect(created.event).toMatchObject({ name: 'leak', size: plain.length + 1 });
    expect(created.event.sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('rm is refused while a service uses it (swarmkit’s message), works once the service is gone', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'echo x | secret create a -\necho y | secret create b -\nservice create -d --name web --secret a nginx\nservice create -d --name api --secret a nginx\n');
    expect(await refusedWith(c, 'secret', 'rm', 'a')).toBe(`${RPC('InvalidArgument')}secret 'a' is in use by the following services: api, web`);
    await given(c, 'service rm api\n');
    expect(await refusedWith(c, 'secret', 'rm', 'a')).toBe(`${RPC('InvalidArgument')}secret 'a' is in use by the following service: web`);
    // Several names: each removed one is echoed, the refusals collected, the exit non-zero.
    const r = await c.run('secret', 'rm', 'b', 'a');
    expect(r).toMatchObject({ code: 1, stdout: 'b\n' });
    expect(r.stderr).toBe(`${RPC('InvalidArgument')}secret 'a' is in use by the following service: web\n`);
    await given(c, 'service rm web\nsecret rm a\n');
    expect(await c.ok('secret', 'ls', '-q')).toBe('');
    expect(await refusedWith(c, 'secret', 'rm', 'a')).toBe(`${DAEMON}secret a not found`);
  });

  it('refuses bad names, duplicates, empty data, unknown secrets in --secret and clashing targets', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'echo x | secret create a -\necho y | secret create b -\n');
    expect(await refusedWith(c, 'service', 'create', '--name', 'web', '--secret', 'nope', 'nginx')).toBe('Error: secret not found: nope');
    expect(await refusedWith(c, 'service', 'create', '--name', 'web', '--secret', 'a', '--secret', 'source=b,target=a', 'nginx')).toMatch(/^Error: .*a/);
    const dup = await c.scenario('echo z | secret create a -\n');
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain(`${RPC('AlreadyExists').slice('Error: '.length)}secret a already exists`);
    const bad = await c.scenario('echo z | secret create bad_ -\n');
    expect(bad.stderr).toContain('invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]');
    const empty = await c.scenario('echo -n | secret create e -\n');
    expect(empty.stderr).toContain('error reading from STDIN: data is empty');
    expect(await refusedWith(c, 'secret', 'create', 'f', '/nonexistent/pw')).toBe('Error: error reading from /nonexistent/pw: open /nonexistent/pw: no such file or directory');
    expect(await refusedWith(c, 'config', 'create', 'f', '/nonexistent/c')).toBe('Error: error reading content from "/nonexistent/c": error reading from /nonexistent/c: open /nonexistent/c: no such file or directory');
    expect(await refusedWith(c, 'secret', 'create', 'f')).toBe('Error: secret file is required');
    expect((await c.ok('secret', 'ls', '--format', '{{.Name}}')).split('\n').filter(Boolean)).toEqual(['a', 'b']);
  });
});

describe('configs', () => {
  it('inspect shows the data; the task reads it at its target; rm refused while used', async () => {
    const c = cli();
    const file = join(c.dir, '..', `app-${process.pid}-${Date.now()}.conf`);
    writeFileSync(file, 'listen 80;\n');
    await swarm(c, { managers: ['m1'] }, `config create app ${file}\nservice create -d --name web --config source=app,target=/etc/nginx/app.conf nginx\n`);
    const [cfg] = JSON.parse(await c.ok('config', 'inspect', 'app'));
    expect(cfg.Spec).toEqual({ Name: 'app', Labels: {}, Data: Buffer.from('listen 80;\n').toString('base64') });
    expect((await c.ok('config', 'ls')).split('\n')[0]).toBe('ID                          NAME      CREATED                  UPDATED');
    // docker/cli's configContext has no Driver.
    expect(Object.keys(JSON.parse(await c.ok('config', 'ls', '--format', 'json')))).toEqual(['CreatedAt', 'ID', 'Labels', 'Name', 'UpdatedAt']);
    expect(await c.ok('exec', 'web.1', 'cat', '/etc/nginx/app.conf')).toBe('listen 80;\n');
    expect(await refusedWith(c, 'config', 'rm', 'app')).toBe(`${RPC('InvalidArgument')}config 'app' is in use by the following service: web`);
    expect(await refusedWith(c, 'config', 'rm', 'nope')).toBe(`${DAEMON}config nope not found`);
  });
});
