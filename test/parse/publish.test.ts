/**
 * `--publish`, as docker/cli parses it (opts/swarmopts/port.go with go-connections' nat.ParsePortSpec).
 * The cases are docker/cli's own (opts/swarmopts/port_test.go at 28f7560): TestPortOptValidSimpleSyntax,
 * TestPortOptValidComplexSyntax, TestPortOptInvalidComplexSyntax, TestPortOptInvalidSimpleSyntax.
 */
import { describe, expect, it } from 'vitest';
import type { PortConfig } from '../../events/index.js';
import { csvFields, parsePublish } from '../../src/commands/parse.js';

const ing = (targetPort: number, publishedPort = 0, protocol: PortConfig['protocol'] = 'tcp'): PortConfig => ({ protocol, targetPort, publishedPort, publishMode: 'ingress' });
const host = (targetPort: number, publishedPort: number, protocol: PortConfig['protocol'] = 'tcp'): PortConfig => ({ protocol, targetPort, publishedPort, publishMode: 'host' });

describe('--publish short syntax [published:]target[/proto] (TestPortOptValidSimpleSyntax)', () => {
  it.each<[string, PortConfig[]]>([
    ['80', [ing(80)]],
    ['80:8080', [ing(8080, 80)]],
    ['8080:80/tcp', [ing(80, 8080)]],
    ['80:8080/udp', [ing(8080, 80, 'udp')]],
    ['80-81:8080-8081/tcp', [ing(8080, 80), ing(8081, 81)]],
    ['80-82:8080-8082/udp', [ing(8080, 80, 'udp'), ing(8081, 81, 'udp'), ing(8082, 82, 'udp')]],
    ['80-82:8080/udp', [ing(8080, 80, 'udp'), ing(8080, 81, 'udp'), ing(8080, 82, 'udp')]],
    ['80-80:8080/tcp', [ing(8080, 80)]],
  ])('%s', (value, expected) => {
    const got = parsePublish(value);
    expect(got).toHaveLength(expected.length);
    for (const p of expected) expect(got).toContainEqual(p);
  });

  it('publishes nothing for a bare target: the port is left at 0 for the allocator (30000+)', () => {
    expect(parsePublish('80')).toEqual([{ protocol: 'tcp', targetPort: 80, publishedPort: 0, publishMode: 'ingress' }]);
  });

  it('a target range without published ports gives one auto-assigned port per target', () => {
    expect(parsePublish('80-82')).toEqual([ing(80), ing(81), ing(82)]);
  });

  it('lower-cases the protocol (nat.ParsePortSpec) and defaults an empty one to tcp', () => {
    expect(parsePublish('53:53/UDP')).toEqual([ing(53, 53, 'udp')]);
    expect(parsePublish('8080:80/')).toEqual([ing(80, 8080)]);
  });
});

describe('--publish long syntax (TestPortOptValidComplexSyntax)', () => {
  it.each<[string, PortConfig]>([
    ['target=80', ing(80)],
    ['target=80,protocol=tcp', ing(80)],
    ['target=80,published=8080,protocol=tcp', ing(80, 8080)],
    ['published=80,target=8080,protocol=tcp', ing(8080, 80)],
    ['target=80,published=8080,protocol=tcp,mode=host', host(80, 8080)],
    ['target=80,published=8080,mode=host', host(80, 8080)],
    ['target=80,published=8080,mode=ingress', ing(80, 8080)],
  ])('%s', (value, expected) => {
    expect(parsePublish(value)).toEqual([expected]);
  });

  it('lower-cases every field, keys and values alike ("these options should not be case-insensitive")', () => {
    expect(parsePublish('Target=80,PUBLISHED=8080,Protocol=UDP,Mode=Host')).toEqual([host(80, 8080, 'udp')]);
  });

  it('is chosen whenever key=value appears anywhere in the value', () => {
    // `\w+=\w+` matches inside, so the whole value is read as CSV and `8080:80` is not a key=value field.
    expect(() => parsePublish('8080:80,target=80')).toThrow('invalid field: 8080:80');
  });
});

describe('--publish errors (TestPortOptInvalidComplexSyntax, TestPortOptInvalidSimpleSyntax)', () => {
  it.each<[string, string]>([
    ['invalid,target=80', 'invalid field: invalid'],
    ['invalid=field', 'invalid field key: invalid'],
    ['protocol=invalid', "invalid protocol value 'invalid'"],
    ['target=invalid', 'invalid target port (invalid): value must be an integer: invalid syntax'],
    ['published=invalid', 'invalid published port (invalid): value must be an integer: invalid syntax'],
    ['mode=invalid', "invalid publish mode value (invalid): must be either 'ingress' or 'host'"],
    ['published=8080,protocol=tcp,mode=ingress', "missing mandatory field 'target'"],
    ['target=80,protocol="tcp,mode=ingress"', 'parse error on line 1, column 20: bare " in non-quoted-field'],
    ['target=80,"protocol=tcp,mode=ingress"', "invalid protocol value 'tcp,mode=ingress'"],
    ['target=70000', 'invalid target port (70000): value must be an integer: value out of range'],
    ['9999999', 'invalid containerPort: 9999999'],
    ['80/xyz', 'invalid proto: xyz'],
    ['tcp', 'invalid containerPort: tcp'],
    ['udp', 'invalid containerPort: udp'],
    ['', 'no port specified: <empty>'],
    ['1.1.1.1:80:80', 'hostip is not supported'],
    ['0.0.0.0:8080:80', 'hostip is not supported'],
    ['[::1]:8080:80', 'hostip is not supported'],
    ['myhost:8080:80', 'invalid IP address: myhost'],
    ['x:80', 'invalid hostPort: x'],
    ['80:8080-8081', 'invalid ranges specified for container and host Ports: 8080-8081 and 80'],
    ['82-80:8080', 'invalid hostPort: 82-80'],
  ])('%j → %s', (value, message) => {
    expect(() => parsePublish(value)).toThrow(message);
    try {
      parsePublish(value);
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });
});

describe("Go's encoding/csv, as the --publish/--mount/--secret parsers read their fields", () => {
  it('splits on commas, unquotes quoted fields and un-doubles their quotes', () => {
    expect(csvFields('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(csvFields('"a,b",c')).toEqual(['a,b', 'c']);
    expect(csvFields('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
  });

  it('refuses a quote inside an unquoted field, naming its 1-based column', () => {
    expect(() => csvFields('ab"c')).toThrow('parse error on line 1, column 3: bare " in non-quoted-field');
  });
});
