/**
 * `--network` / `--network-add`, as docker/cli parses them (opts/network.go NetworkOpt.Set). The cases
 * are docker/cli's own (opts/network_test.go at 28f7560): TestNetworkOptLegacySyntax,
 * TestNetworkOptAdvancedSyntax, TestNetworkOptAdvancedSyntaxInvalid. A service attachment keeps the
 * target, the aliases and the driver options (cli/command/service/opts.go convertNetworks).
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkOpt } from '../../src/commands/parse.js';

describe('--network values (TestNetworkOptLegacySyntax, TestNetworkOptAdvancedSyntax)', () => {
  it.each<[string, ReturnType<typeof parseNetworkOpt>]>([
    ['docknet1', { target: 'docknet1', aliases: [], driverOpts: {} }],
    ['name=docknet1,alias=web,driver-opt=field1=value1', { target: 'docknet1', aliases: ['web'], driverOpts: { field1: 'value1' } }],
    ['name=docknet1,alias=web1,alias=web2,driver-opt=field1=value1,driver-opt=field2=value2', { target: 'docknet1', aliases: ['web1', 'web2'], driverOpts: { field1: 'value1', field2: 'value2' } }],
    ['name=docknet1,ip=172.20.88.22,ip6=2001:db8::8822', { target: 'docknet1', aliases: [], driverOpts: {} }],
    ['name=docknet1', { target: 'docknet1', aliases: [], driverOpts: {} }],
    ['name=docknet1,mac-address=52:0f:f3:dc:50:10', { target: 'docknet1', aliases: [], driverOpts: {} }],
    ['name=docknet1,link-local-ip=169.254.169.254,link-local-ip=169.254.10.10', { target: 'docknet1', aliases: [], driverOpts: {} }],
    // A quoted CSV field keeps its commas; the whole field is lower-cased (IFNAME → ifname).
    ['name=docknet1,"driver-opt=com.docker.network.endpoint.sysctls=net.ipv6.conf.IFNAME.accept_ra=2,net.ipv6.conf.IFNAME.forwarding=1"',
      { target: 'docknet1', aliases: [], driverOpts: { 'com.docker.network.endpoint.sysctls': 'net.ipv6.conf.ifname.accept_ra=2,net.ipv6.conf.ifname.forwarding=1' } }],
    ['name=docknet1,gw-priority=10', { target: 'docknet1', aliases: [], driverOpts: {} }],
    ['NAME=DockNet1,Alias=Web', { target: 'docknet1', aliases: ['web'], driverOpts: {} }],
  ])('%s', (value, expected) => {
    expect(parseNetworkOpt(value)).toEqual(expected);
  });
});

describe('--network refusals (TestNetworkOptAdvancedSyntaxInvalid)', () => {
  it.each<[string, string]>([
    ['invalidField=docknet1', 'invalid field key invalidfield'],
    ['network=docknet1,invalid=web', 'invalid field key network'],
    ['driver-opt=field1=value1,driver-opt=field2=value2', 'network name/id is not specified'],
    ['gw-priority=invalid-integer', 'invalid gw-priority (invalid-integer): invalid syntax'],
    ['name=n,driver-opt=novalue', 'invalid key value pair format in driver options'],
    ['name=n,ip=300.1.1.1', 'ParseAddr("300.1.1.1"): unable to parse IP'],
    ['name=n,alias', 'invalid field alias'],
  ])('%s', (value, message) => {
    expect(() => parseNetworkOpt(value)).toThrow(message);
  });
});
