/**
 * `docker inspect CONTAINER` / `docker container inspect`: the container's JSON, with its
 * NetworkSettings as dockerd 28 prints them (api/types/container/network_settings.go,
 * api/types/network/endpoint.go; daemon/inspect.go ContainerInspect).
 */
import type { ContainerView } from '../../commands/containers.js';
import { endpointsOf } from '../../net/local.js';
import { isUserDefinedNetwork } from '../../net/views.js';
import { rfc3339Nano } from '../../sim/clock.js';
import { tget } from '../../state/table.js';
import type { Endpoint, Network, State } from '../../state/types.js';

/** network.EndpointSettings, in its field order. */
interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

function isDefaultBridge(n: Network): boolean {
  return n.options['com.docker.network.bridge.default_bridge'] === 'true';
}

/**
 * The networks the container is attached to, in the order it joined them, with the address its
 * configuration asked for (a task's, from the allocator): a standalone container's own list; a task's
 * addresses (the ingress first), or its spec's networks once they were released.
 */
function attachedNetworks(s: State, c: ContainerView): { network: Network; configured: string | null }[] {
  const out: { network: Network; configured: string | null }[] = [];
  if (c.task) {
    const t = c.task;
    if (t.addrs.length) {
      for (const a of t.addrs) {
        const n = tget(s.networks, a.networkId);
        if (n) out.push({ network: n, configured: a.ip });
      }
      return out;
    }
    const svc = tget(s.services, t.serviceId);
    const ingressId = s.swarm?.ingressNetworkId;
    const ids = [...(ingressId && svc?.endpointPorts.some((p) => p.publishMode === 'ingress') ? [ingressId] : []), ...c.networks];
    for (const id of ids) {
      const n = tget(s.networks, id);
      if (n) out.push({ network: n, configured: null });
    }
    return out;
  }
  for (const id of c.networks) {
    const n = tget(s.networks, id);
    if (n) out.push({ network: n, configured: null });
  }
  return out;
}

/** The names of the networks in the container's NetworkSettings (a Go map: sorted here, random in Docker). */
export function containerNetworkNames(s: State, c: ContainerView): string[] {
  return [...new Set(attachedNetworks(s, c).map((x) => x.network.name))].sort();
}

/** Go's sliceutil.Dedup: first occurrences, in order. */
function dedup(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * One entry of NetworkSettings.Networks. The operational data (EndpointID, Gateway, IPAddress,
 * IPPrefixLen, MacAddress) exists while the sandbox does; dockerd clears it when the container stops
 * (container_operations.go cleanOperationalData). Gateway is what the driver set on join: the bridge's
 * gateway on a non-internal bridge, nothing on an overlay (its default route is docker_gwbridge's).
 */
function endpointSettings(s: State, c: ContainerView, n: Network, ep: Endpoint | undefined, configured: string | null, first: boolean): EndpointSettings {
  const userDefined = isUserDefinedNetwork(n);
  // docker/cli: `--link` on a user-defined first network is an endpoint option (an alias); on the default
  // bridge it is a legacy link (HostConfig.Links), not an endpoint setting.
  const links = !c.task && first && userDefined && c.links.length ? [...c.links] : null;
  // A standalone container on a swarm network holds the address of its network attachment: dockerd
  // copies the attachment's IPAMConfig (connectToNetwork, IPAMOperational) and clears it on stop.
  const ipam = configured ?? (!c.task && n.scope === 'swarm' && ep ? ep.ip : null);
  // `--network-alias` / `network connect --alias` (a task's service aliases are libnetwork's, not listed here).
  const aliases = !c.task && c.aliases?.[n.id]?.length ? [...c.aliases[n.id]!] : null;
  return {
    IPAMConfig: ipam ? { IPv4Address: ipam } : null,
    Links: links,
    Aliases: aliases,
    MacAddress: ep?.mac ?? '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: n.id,
    EndpointID: ep?.id ?? '',
    Gateway: ep && n.driver === 'bridge' && !n.internal ? n.gateway : '',
    IPAddress: ep?.ip ?? '',
    IPPrefixLen: ep && n.subnet ? Number(n.subnet.split('/')[1]) : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    // daemon/container_operations.go buildEndpointDNSNames: name, aliases, short ID, hostname, on user-defined networks.
    DNSNames: userDefined ? dedup([c.name, ...(aliases ?? []), c.id.slice(0, 12), c.hostname]) : null,
  };
}

/**
 * NetworkSettings (NetworkSettingsBase, then DefaultNetworkSettings, then Networks, as the embedded
 * structs marshal). SandboxKey is the namespace under /var/run/docker/netns (`default` on the host
 * network); the top-level legacy fields repeat the default bridge's entry (daemon/inspect.go
 * getDefaultNetworkSettings). Networks is a Go map: keys sorted.
 */
export function networkSettings(s: State, c: ContainerView): Record<string, unknown> {
  const sandbox = c.id.slice(0, 12);
  const running = c.state === 'running';
  const hostNet = c.networks.some((id) => tget(s.networks, id)?.driver === 'host');
  const eps = running ? endpointsOf(s, c.host, sandbox) : [];
  const networks: Record<string, EndpointSettings> = {};
  const attached = attachedNetworks(s, c);
  attached.forEach(({ network: n, configured }, i) => {
    const ep = eps.find((e) => e.networkId === n.id);
    networks[n.name] = endpointSettings(s, c, n, ep, configured, i === 0);
  });
  const bridge = attached.find(({ network }) => isDefaultBridge(network));
  const legacy = bridge ? networks[bridge.network.name]! : undefined;
  const hasSandbox = running && (hostNet || tget(s.netns, `${c.host}/${sandbox}`) !== undefined);
  const sorted: Record<string, EndpointSettings> = {};
  for (const k of Object.keys(networks).sort()) sorted[k] = networks[k]!;
  return {
    Bridge: '',
    SandboxID: hasSandbox ? c.id : '',
    SandboxKey: hasSandbox ? `/var/run/docker/netns/${hostNet ? 'default' : sandbox}` : '',
    Ports: {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: legacy?.EndpointID ?? '',
    Gateway: legacy?.Gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: legacy?.IPAddress ?? '',
    IPPrefixLen: legacy?.IPPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: legacy?.MacAddress ?? '',
    Networks: sorted,
  };
}

/** A running container's PID (derived from its ID: the same number wherever it is shown). */
export function containerPid(containerId: string): number {
  return 1000 + parseInt(containerId.slice(0, 4), 16) % 30000;
}

/** The container's inspect object (ContainerJSONBase fields, Mounts, Config, NetworkSettings). */
export function containerInspect(s: State, c: ContainerView): Record<string, unknown> {
  const dir = `/var/lib/docker/containers/${c.id}`;
  return {
    Id: c.id, Created: rfc3339Nano(s.sim.epochMs, c.createdAtMs), Path: c.command[0] ?? 'sh', Args: c.command.slice(1),
    State: {
      Status: c.state, Running: c.state === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false,
      Pid: c.state === 'running' ? containerPid(c.id) : 0, ExitCode: c.state === 'running' ? 0 : c.exitCode, Error: '',
      StartedAt: rfc3339Nano(s.sim.epochMs, c.createdAtMs), FinishedAt: c.state === 'exited' ? rfc3339Nano(s.sim.epochMs, c.stateAtMs) : '0001-01-01T00:00:00Z',
    },
    Image: `sha256:${c.id.split('').reverse().join('')}`,
    // The files dockerd bind-mounts: `exec X cat /etc/resolv.conf | /etc/hostname | /etc/hosts` shows them.
    ResolvConfPath: `${dir}/resolv.conf`, HostnamePath: `${dir}/hostname`, HostsPath: `${dir}/hosts`,
    Name: `/${c.name}`, RestartCount: 0, Driver: 'overlay2', Platform: 'linux',
    Mounts: c.mounts.map((m) => ({ Type: m.type, ...(m.type === 'volume' ? { Name: m.source } : {}), Source: m.type === 'volume' ? `/var/lib/docker/volumes/${m.source}/_data` : m.source, Destination: m.target, Driver: m.type === 'volume' ? 'local' : undefined, Mode: m.type === 'volume' ? 'z' : '', RW: !m.readOnly, Propagation: m.type === 'bind' ? 'rprivate' : '' })),
    Config: { Hostname: c.hostname, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...c.env], Cmd: c.command.length ? c.command : null, Image: c.image, Labels: c.labels },
    NetworkSettings: networkSettings(s, c),
  };
}
