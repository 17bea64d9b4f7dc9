/**
 * Network events (the Container Network Model as libnetwork implements it): networks and their
 * address pools, endpoints (a sandbox's interface on a network), and the kernel objects each node's
 * network agent creates on demand: namespaces, bridges, VXLAN devices, veth pairs, addresses, routes,
 * iptables rules, IPVS services, DNS records.
 */

export type NetworkDriver = 'bridge' | 'host' | 'null' | 'overlay';
export type NetworkScope = 'local' | 'swarm';

/** A network exists: swarm-scoped (overlay, in the Raft store) or local to one host (bridge/host/null). */
export interface NetworkCreated {
  type: 'NetworkCreated';
  networkId: string;
  name: string;
  driver: NetworkDriver;
  scope: NetworkScope;
  /** The host a local network lives on; null for swarm networks. */
  host: string | null;
  /** '' for host/null networks. */
  subnet: string;
  gateway: string;
  ipRange: string;
  /** Overlay only: the VXLAN network identifier. */
  vni: number;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface NetworkRemoved {
  type: 'NetworkRemoved';
  networkId: string;
}

/** Who holds an address: a task, a service VIP, a node's load balancer / ingress sandbox, a container. */
export interface AddressOwner {
  kind: 'task' | 'vip' | 'node' | 'container' | 'gateway';
  id: string;
}

/** IPAM handed out an address of a network's pool. */
export interface AddressAllocated {
  type: 'AddressAllocated';
  networkId: string;
  ip: string;
  owner: AddressOwner;
}

export interface AddressReleased {
  type: 'AddressReleased';
  networkId: string;
  ip: string;
}

/** A sandbox (network namespace) got an interface on a network: the CNM endpoint. */
export interface EndpointCreated {
  type: 'EndpointCreated';
  endpointId: string;
  networkId: string;
  host: string;
  /** Namespace name under /var/run/docker/netns (a container's ID prefix, ingress_sbox, lb_…). */
  sandbox: string;
  /** Container (or task) this endpoint belongs to; '' for the ingress and LB sandboxes. */
  containerId: string;
  name: string;
  ip: string;
  mac: string;
  /** Interface name inside the sandbox (eth0, eth1, …). */
  ifName: string;
  /** The other end of the veth: its namespace ('' = the host's root namespace) and name. */
  peerNetns: string;
  peerName: string;
  /**
   * A task's service aliases on this network (`--network name=N,alias=A`): the embedded DNS answers
   * `A` and `tasks.A` too. Absent when there are none.
   */
  aliases?: string[];
}

export interface EndpointRemoved {
  type: 'EndpointRemoved';
  endpointId: string;
}

/** A network namespace appeared on a host (/var/run/docker/netns/NAME). */
export interface NetnsCreated {
  type: 'NetnsCreated';
  host: string;
  netns: string;
}

export interface NetnsRemoved {
  type: 'NetnsRemoved';
  host: string;
  netns: string;
}

export type LinkKind = 'bridge' | 'vxlan' | 'veth';

/**
 * A network device in a namespace ('' = the host's root namespace): a bridge (the host's eth0 is
 * recorded as one), or a VXLAN device. A veth pair is one VethCreated; a veth LinkCreated (one per end,
 * as logs written before VethCreated existed hold) is still reduced the same way.
 */
export interface LinkCreated {
  type: 'LinkCreated';
  host: string;
  netns: string;
  name: string;
  kind: LinkKind;
  ifIndex: number;
  mtu: number;
  mac: string;
  /** veth: the peer's ifindex (eth0@if22); vxlan: the VNI; bridge: 0. */
  peer: number;
  /** The bridge it is enslaved to ('' if none). */
  master: string;
}

/** One end of a veth pair. */
export interface VethEnd {
  /** Its namespace ('' = the host's root namespace). */
  netns: string;
  name: string;
  ifIndex: number;
  mac: string;
  /** The bridge it is enslaved to ('' if none). */
  master: string;
}

/**
 * A veth pair, both ends at once (`ip link add OUTER type veth peer name INNER`, then each end moved to
 * its namespace): the sandbox's interface (`inner`: eth0, eth1, … in a container's or load-balancer
 * sandbox) and its peer (`outer`: a host-side `veth<7 hex>` in the root namespace enslaved to a bridge,
 * or `veth<N>` in an overlay's namespace enslaved to its br0). Reduced as two links of kind `veth`, the
 * outer end first, each with the other's ifindex as its peer.
 */
export interface VethCreated {
  type: 'VethCreated';
  host: string;
  mtu: number;
  outer: VethEnd;
  inner: VethEnd;
}

export interface LinkRemoved {
  type: 'LinkRemoved';
  host: string;
  netns: string;
  name: string;
}

export interface AddressAssigned {
  type: 'AddressAssigned';
  host: string;
  netns: string;
  ifName: string;
  /** e.g. 10.0.1.3/24 */
  cidr: string;
}

/** An address left an interface (a service VIP's /32 alias on a load-balancer sandbox). */
export interface AddressUnassigned {
  type: 'AddressUnassigned';
  host: string;
  netns: string;
  ifName: string;
  cidr: string;
}

/**
 * A route added explicitly (a default route `via` a gateway). The connected route an address with a
 * prefix shorter than /32 gives its interface (`10.0.1.0/24 dev eth0 proto kernel scope link src
 * 10.0.1.3`) is the kernel's own doing: not recorded, derived from the links' addresses where routes are
 * shown, and gone with the address or the link.
 */
export interface RouteAdded {
  type: 'RouteAdded';
  host: string;
  netns: string;
  /** 'default' or a CIDR. */
  dst: string;
  via: string;
  dev: string;
  src: string;
}

export interface RouteRemoved {
  type: 'RouteRemoved';
  host: string;
  netns: string;
  dst: string;
  dev: string;
}

/** iptables rules as data, rendered by `iptables -nvL` at the edge. */
export interface IptablesRule {
  table: 'nat' | 'filter' | 'mangle';
  chain: string;
  /** -p */
  proto: string;
  /** -s / -d */
  src: string;
  dst: string;
  /** --dport / --sport */
  dport: number;
  sport: number;
  /** -i / -o */
  in: string;
  out: string;
  /** -m addrtype --dst-type / --src-type, -m conntrack --ctstate, -m ipvs --ipvs */
  match: string;
  /** ACCEPT, DROP, RETURN, DNAT, SNAT, MASQUERADE, MARK, REDIRECT, or a chain name. */
  target: string;
  /** DNAT/SNAT destination, MARK value (hex), REDIRECT port. */
  targetArg: string;
}

export interface IptablesRuleAdded {
  type: 'IptablesRuleAdded';
  host: string;
  netns: string;
  rule: IptablesRule;
}

export interface IptablesRuleRemoved {
  type: 'IptablesRuleRemoved';
  host: string;
  netns: string;
  rule: IptablesRule;
}

/** A published port a load balancer was programmed with (ingress only). */
export interface LbPort {
  protocol: string;
  publishedPort: number;
}

/**
 * A load balancer on one node (libnetwork's `loadBalancer` of one service on one network, programmed by
 * addLBBackend): an IPVS virtual service keyed by a firewall mark from the node's counter, round robin,
 * in the network's load-balancer sandbox (ingress_sbox, or lb_<network ID[:9]>). Its real servers are the
 * service's backends on the network (LbBackendAdded), the same on every node.
 */
export interface IpvsServiceAdded {
  type: 'IpvsServiceAdded';
  host: string;
  netns: string;
  fwmark: number;
  serviceId: string;
  networkId: string;
  /** The service's VIP on the network: an alias on the sandbox's interface, matched by the mangle INPUT rule. */
  vip: string;
  /** Ingress load balancers: the published ports marked in mangle PREROUTING and DNATed on the host. */
  ports: LbPort[];
}

export interface IpvsServiceRemoved {
  type: 'IpvsServiceRemoved';
  host: string;
  netns: string;
  fwmark: number;
  serviceId: string;
}

/**
 * A service task's endpoint on a network became one of the service's load-balancer backends: the
 * networkdb `endpoint_table` entry every node on the network learns, and from which each of them adds an
 * IPVS real server (`<ip>:0 Masq 1`) to its load balancer for the service. Stored once for the cluster.
 */
export interface LbBackendAdded {
  type: 'LbBackendAdded';
  networkId: string;
  serviceId: string;
  ip: string;
}

/** The backend is gone: its task stopped, its node left the swarm or networkdb declared its node failed. */
export interface LbBackendRemoved {
  type: 'LbBackendRemoved';
  networkId: string;
  serviceId: string;
  ip: string;
}

/** The embedded DNS server (127.0.0.11) answers `name` with `ip` on a network. */
export interface DnsRecordAdded {
  type: 'DnsRecordAdded';
  networkId: string;
  name: string;
  ip: string;
}

export interface DnsRecordRemoved {
  type: 'DnsRecordRemoved';
  networkId: string;
  name: string;
  ip: string;
}

export type NetworkEvent =
  | NetworkCreated | NetworkRemoved | AddressAllocated | AddressReleased | EndpointCreated | EndpointRemoved
  | NetnsCreated | NetnsRemoved | LinkCreated | VethCreated | LinkRemoved | AddressAssigned | AddressUnassigned | RouteAdded | RouteRemoved
  | IptablesRuleAdded | IptablesRuleRemoved | IpvsServiceAdded | IpvsServiceRemoved | LbBackendAdded
  | LbBackendRemoved | DnsRecordAdded | DnsRecordRemoved;
