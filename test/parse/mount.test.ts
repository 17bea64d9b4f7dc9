/**
 * `--mount`, as docker/cli parses it (opts/mount.go and mount_utils.go at 28f7560). The cases are
 * docker/cli's own (opts/mount_test.go): TestMountOptSourceTargetAliases, TestMountOptDefaultType,
 * TestMountOptErrors, TestMountOptReadOnly, TestMountOptVolumeNoCopy, TestMountOptVolumeOptions,
 * TestMountOptSetTmpfsNoError. Source and target are not required client-side: the daemon and the
 * node's agent check them (see test/services/containers.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseMount } from '../../src/commands/parse.js';

function error(value: string): string {
  try {
    parseMount(value);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`--mount ${value} was accepted`);
}

describe('--mount accepted forms', () => {
  it.each(['type=bind,src=/source,dst=/target', 'type=bind,source=/source,target=/target', 'type=bind,source=/source,destination=/target'])(
    'source/src and target/dst/destination are aliases: %s', (value) => {
      expect(parseMount(value)).toEqual({ type: 'bind', source: '/source', target: '/target', readOnly: false });
    },
  );

  it('defaults to a volume mount (TestMountOptDefaultType)', () => {
    expect(parseMount('target=/target,source=/foo').type).toBe('volume');
    expect(parseMount('source=data,target=/data')).toEqual({ type: 'volume', source: 'data', target: '/data', readOnly: false });
  });

  it('lower-cases the type and the option keys', () => {
    expect(parseMount('TYPE=Tmpfs,Target=/t').type).toBe('tmpfs');
  });

  it('does not require a source or a target (the daemon and the agent check them)', () => {
    expect(parseMount('type=volume')).toEqual({ type: 'volume', source: '', target: '', readOnly: false });
    expect(parseMount('type=bind,source=relative,target=data')).toMatchObject({ source: 'relative', target: 'data' });
  });

  it.each<[string, boolean]>([
    ['', false], ['readonly', true], ['readonly=1', true], ['readonly=true', true], ['readonly=0', false], ['readonly=false', false],
    ['ro', true], ['ro=1', true], ['ro=true', true], ['ro=0', false], ['ro=false', false],
  ])('read-only form %j gives ReadOnly %s (TestMountOptReadOnly)', (opt, ro) => {
    expect(parseMount(`type=bind,target=/foo,source=/foo${opt ? `,${opt}` : ''}`).readOnly).toBe(ro);
  });

  it.each<[string, boolean]>([['volume-nocopy', true], ['volume-nocopy=1', true], ['volume-nocopy=true', true], ['volume-nocopy=0', false], ['volume-nocopy=false', false]])(
    '%s (TestMountOptVolumeNoCopy)', (opt, nocopy) => {
      expect(parseMount(`type=volume,target=/foo,source=foo,${opt}`).volumeNoCopy).toBe(nocopy);
    },
  );

  it('volume labels and driver options: empty values kept, empty keys dropped (TestMountOptVolumeOptions)', () => {
    expect(parseMount('type=volume,target=/foo,volume-label=foo=foo-value,volume-label=bar=bar-value').volumeLabels).toEqual({ foo: 'foo-value', bar: 'bar-value' });
    expect(parseMount('type=volume,target=/foo,volume-label=foo=,volume-label=bar').volumeLabels).toEqual({ foo: '', bar: '' });
    expect(parseMount('type=volume,target=/foo,volume-label==foo-value').volumeLabels ?? {}).toEqual({});
    expect(parseMount('type=volume,target=/foo,volume-opt=foo=,volume-opt=bar').volumeOptions).toEqual({ foo: '', bar: '' });
    const m = parseMount('type=volume,volume-driver=my-driver,target=/foo,volume-label=foo=foo-value,volume-label=empty=,volume-opt=foo=foo-value,volume-opt=empty=');
    expect(m).toMatchObject({ volumeDriver: 'my-driver', volumeLabels: { foo: 'foo-value', empty: '' }, volumeOptions: { foo: 'foo-value', empty: '' } });
  });

  it.each(['type=tmpfs,target=/target,tmpfs-size=1m,tmpfs-mode=0700', 'type=tmpfs,target=/target,tmpfs-size=1MB,tmpfs-mode=700'])(
    'tmpfs size in binary units and mode in octal: %s (TestMountOptSetTmpfsNoError)', (value) => {
      expect(parseMount(value)).toMatchObject({ type: 'tmpfs', target: '/target', tmpfsSizeBytes: 1024 * 1024, tmpfsMode: 0o700 });
    },
  );

  it('bind-recursive=disabled is the non-recursive bind; writable and readonly need readonly', () => {
    expect(parseMount('type=bind,source=/foo,target=/bar,bind-recursive=disabled').bindNonRecursive).toBe(true);
    expect(parseMount('type=bind,source=/foo,target=/bar,bind-recursive=writable,readonly').readOnly).toBe(true);
    expect(parseMount('type=bind,source=/foo,target=/bar,bind-recursive=readonly,readonly,bind-propagation=rprivate').bindPropagation).toBe('rprivate');
  });
});

describe('--mount errors (TestMountOptErrors)', () => {
  it.each<[string, string]>([
    ['', 'value is empty'],
    ['  ', 'value is empty'],
    ['type=volume,target=/foo,bogus=foo', "unknown option 'bogus' in 'bogus=foo'"],
    ['type=volume, src=/foo,target=/foo', "invalid option 'src' in ' src=/foo': option should not have whitespace"],
    ['type=volume,src =/foo,target=/foo', "invalid option 'src' in 'src =/foo': option should not have whitespace"],
    ['type=volume,src=,target=/foo', "invalid value for 'src': value is empty"],
    ['type=volume,src= /foo,target=/foo', "invalid value for 'src' in 'src= /foo': value should not have whitespace"],
    ['type=volume,src=/foo ,target=/foo', "invalid value for 'src' in 'src=/foo ': value should not have whitespace"],
    ['type=volume,target=/foo,bogus', "invalid field 'bogus' must be a key=value pair"],
    ['type=tmpfs,target=/foo,tmpfs-size=foo', 'invalid value for tmpfs-size: foo'],
    ['type=tmpfs,target=/foo,tmpfs-mode=foo', 'invalid value for tmpfs-mode: foo'],
    ['type=tmpfs,target=/foo,tmpfs-mode=800', 'invalid value for tmpfs-mode: 800'],
    ['type=volume,target=/foo,source=/foo,bind-propagation=rprivate', "cannot mix 'bind-*' options with mount type 'volume'"],
    ['type=bind,target=/foo,source=/foo,volume-nocopy=true', "cannot mix 'volume-*' options with mount type 'bind'"],
    ['type=volume,target=/foo,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'volume'"],
    ['target=/foo,bind-propagation=shared', "cannot mix 'bind-*' options with mount type 'volume'"],
    ['type=bind,target=/foo,source=/foo,readonly=', "invalid value for 'readonly': value is empty"],
    ['type=bind,target=/foo,source=/foo,readonly= true', "invalid value for 'readonly' in 'readonly= true': value should not have whitespace"],
    ['type=bind,target=/foo,source=/foo,readonly=no', 'invalid value for \'readonly\': invalid boolean value ("no"): must be one of "true", "1", "false", or "0" (default "true")'],
    ['type=volume,target=/foo,source=foo,volume-nocopy=no', 'invalid value for \'volume-nocopy\': invalid boolean value ("no"): must be one of "true", "1", "false", or "0" (default "true")'],
    ['type=bind,source=/foo,target=/bar,bind-nonrecursive', 'bind-nonrecursive is deprecated, use bind-recursive=disabled instead'],
    ['type=bind,source=/foo,target=/bar,bind-recursive=writable', "option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction"],
    ['type=bind,source=/foo,target=/bar,bind-recursive=readonly', "option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction"],
    ['type=bind,source=/foo,target=/bar,bind-recursive=readonly,readonly', "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction"],
    ['type=foo,target=/foo', 'invalid MountType: "foo"'],
  ])('%j → %s', (value, message) => {
    expect(error(value)).toBe(message);
  });
});
