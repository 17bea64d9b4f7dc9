/** docker/cli's parsers for service flags: --publish, --mount, --secret/--config, --placement-pref, names. */
import type { MountSpec, PortConfig } from '../../events/index.js';
import { reject } from './rejection.js';
import { ramInBytes } from './units.js';

/**
 * Go's encoding/csv reading of one record (default Reader: `,` separator, no lazy quotes), with its
 * error texts: a `"` inside an unquoted field is `bare " in non-quoted-field`.
 */
export function csvFields(value: string): string[] {
  const out: string[] = [];
  const at = (col: number, why: string) => new Error(`parse error on line 1, column ${col}: ${why}`);
  for (let i = 0; ;) {
    if (value[i] === '"') {
      let cur = '';
      let j = i + 1;
      for (;;) {
        if (j >= value.length) throw at(value.length + 1, 'extraneous or missing " in quoted-field');
        if (value[j] === '"') {
          if (value[j + 1] === '"') { cur += '"'; j += 2; continue; }
          j++;
          break;
        }
        cur += value[j++];
      }
      if (j < value.length && value[j] !== ',') throw at(j + 1, 'extraneous or missing " in quoted-field');
      out.push(cur);
      if (j >= value.length) return out;
      i = j + 1;
    } else {
      const k = value.indexOf(',', i);
      const field = k < 0 ? value.slice(i) : value.slice(i, k);
      const q = field.indexOf('"');
      if (q >= 0) throw at(i + q + 1, 'bare " in non-quoted-field');
      out.push(field);
      if (k < 0) return out;
      i = k + 1;
    }
  }
}

/** strconv.ParseUint(v, 10, bits), reporting only the error's reason (`invalid syntax`, `value out of range`). */
function uintReason(v: string, bits: number): [number, null] | [null, string] {
  if (!/^\d+$/.test(v)) return [null, 'invalid syntax'];
  const n = Number(v);
  return n >= 2 ** bits ? [null, 'value out of range'] : [n, null];
}

/**
 * strconv.ParseUint(v, 0, bits): Go's base detection (`0x`, `0o`, `0b`, a leading `0` for octal)
 * and `_` between digits; errors read `strconv.ParseUint: parsing "v": invalid syntax`.
 */
export function goParseUintBase0(v: string, bits: number): number {
  const fail = (why: string) => new Error(`strconv.ParseUint: parsing ${JSON.stringify(v)}: ${why}`);
  let base = 10;
  let body = v;
  let prefixed = false;
  if (v.length > 1 && v[0] === '0') {
    const p = v[1]!.toLowerCase();
    if (p === 'x' || p === 'o' || p === 'b') {
      base = p === 'x' ? 16 : p === 'o' ? 8 : 2;
      body = v.slice(2);
    } else {
      base = 8;
      body = v.slice(1);
    }
    prefixed = true;
  }
  const digit = base === 16 ? '[0-9a-fA-F]' : base === 8 ? '[0-7]' : base === 2 ? '[01]' : '[0-9]';
  const ok = new RegExp(`^${prefixed ? '_?' : ''}${digit}+(_${digit}+)*$`).test(body);
  if (!ok) throw fail('invalid syntax');
  const n = BigInt(base === 10 ? body.replace(/_/g, '') : `0${base === 16 ? 'x' : base === 8 ? 'o' : 'b'}${body.replace(/_/g, '')}`);
  if (n >= 2n ** BigInt(bits)) throw fail('value out of range');
  return Number(n);
}

/** go-connections nat: a port number 0-65535 (sign allowed, as strconv.ParseInt allows it). */
function portNumber(v: string): number | null {
  if (!/^[+-]?\d+$/.test(v)) return null;
  const n = Number(v);
  return n < 0 || n > 65535 ? null : n;
}

/** go-connections nat parsePortRange: `80` or `80-82`; null when invalid. */
function portRange(spec: string): [number, number] | null {
  if (spec === '') return null;
  const dash = spec.indexOf('-');
  const start = dash < 0 ? spec : spec.slice(0, dash);
  const end = dash < 0 ? start : spec.slice(dash + 1);
  const a = portNumber(start);
  if (a === null) return null;
  if (dash < 0 || start === end) return [a, a];
  const b = portNumber(end);
  if (b === null || b < a) return null;
  return [a, b];
}

function isIP(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}

/**
 * `--publish` (docker/cli opts/swarmopts/port.go): the long form (`published=8080,target=80,protocol=udp,mode=host`,
 * read as CSV and lower-cased) when the value matches `\w+=\w+(,\w+=\w+)*`; otherwise go-connections'
 * short form `[[ip:]published:]target[/proto]`, with ranges. A host IP is refused.
 */
export function parsePublish(value: string): PortConfig[] {
  if (/\w+=\w+(,\w+=\w+)*/.test(value)) {
    const p: PortConfig = { protocol: 'tcp', targetPort: 0, publishedPort: 0, publishMode: 'ingress' };
    for (const field of csvFields(value)) {
      const f = field.toLowerCase();
      const i = f.indexOf('=');
      if (i <= 0) throw new Error(`invalid field: ${field}`);
      const key = f.slice(0, i);
      const val = f.slice(i + 1);
      switch (key) {
        case 'protocol':
          if (val !== 'tcp' && val !== 'udp' && val !== 'sctp') throw new Error(`invalid protocol value '${val}'`);
          p.protocol = val;
          break;
        case 'mode':
          if (val !== 'ingress' && val !== 'host') throw new Error(`invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
          p.publishMode = val;
          break;
        case 'target':
        case 'published': {
          const [n, why] = uintReason(val, 16);
          if (n === null) throw new Error(`invalid ${key === 'target' ? 'target' : 'published'} port (${val}): value must be an integer: ${why}`);
          if (key === 'target') p.targetPort = n;
          else p.publishedPort = n;
          break;
        }
        default: throw new Error(`invalid field key: ${key}`);
      }
    }
    if (p.targetPort === 0) throw new Error("missing mandatory field 'target'");
    return [p];
  }
  // Short syntax (go-connections nat.ParsePortSpec): splitParts, then proto, IP, container and host ranges.
  const parts = value.split(':');
  const n = parts.length;
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostSpec = n >= 2 ? parts[n - 2]! : '';
  const raw = parts[n - 1]!;
  const slash = raw.indexOf('/');
  const containerSpec = slash < 0 ? raw : raw.slice(0, slash);
  if (containerSpec === '') throw new Error(`no port specified: ${value}<empty>`);
  const proto = (slash < 0 ? 'tcp' : raw.slice(slash + 1) || 'tcp').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new Error(`invalid proto: ${proto}`);
  if (ip.startsWith('[')) {
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
    ip = m[1]!;
  }
  if (ip !== '' && !isIP(ip)) throw new Error(`invalid IP address: ${ip}`);
  const c = portRange(containerSpec);
  if (!c) throw new Error(`invalid containerPort: ${containerSpec}`);
  const host = hostSpec === '' ? null : portRange(hostSpec);
  if (hostSpec !== '' && !host) throw new Error(`invalid hostPort: ${hostSpec}`);
  if (host && c[1] - c[0] !== host[1] - host[0] && c[1] !== c[0]) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerSpec} and ${hostSpec}`);
  }
  // docker/cli: swarm ports cannot be bound to an address.
  if (ip !== '') throw new Error('hostip is not supported');
  const out: PortConfig[] = [];
  const mk = (target: number, published: number): PortConfig => ({ protocol: proto as PortConfig['protocol'], targetPort: target, publishedPort: published, publishMode: 'ingress' });
  if (!host) {
    for (let t = c[0]; t <= c[1]; t++) out.push(mk(t, 0));
  } else if (c[0] === c[1]) {
    for (let h = host[0]; h <= host[1]; h++) out.push(mk(c[0], h));
  } else {
    for (let i = 0; i <= c[1] - c[0]; i++) out.push(mk(c[0] + i, host[0] + i));
  }
  return out;
}

/** docker/cli parseBoolValue: no value means true; otherwise only 1, true, 0, false. */
function boolValue(key: string, val: string | undefined): boolean {
  if (val === undefined) return true;
  if (val === '1' || val === 'true') return true;
  if (val === '0' || val === 'false') return false;
  throw new Error(`invalid value for '${key}': invalid boolean value (${JSON.stringify(val)}): must be one of "true", "1", "false", or "0" (default "true")`);
}

/**
 * `--mount` (docker/cli opts/mount.go and mount_utils.go): CSV of key=value; the type defaults to volume;
 * options of another mount type are refused. Source and target are not required here: the daemon and
 * the node's agent check them.
 */
export function parseMount(input: string): MountSpec {
  const value = input.trim();
  if (value === '') throw new Error('value is empty');
  const m: MountSpec = { type: 'volume', source: '', target: '', readOnly: false };
  let type = 'volume';
  const used = { volume: false, bind: false, tmpfs: false, image: false };
  let recursive: string | null = null;
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const rawKey = eq < 0 ? field : field.slice(0, eq);
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (rawKey.trim() !== rawKey) throw new Error(`invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
    if (val !== undefined) {
      if (val.trim() === '') throw new Error(`invalid value for '${rawKey}': value is empty`);
      if (val.trim() !== val) throw new Error(`invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
    }
    const key = rawKey.toLowerCase();
    if (val === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-src'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    const keyValue = (map: Record<string, string> | undefined): Record<string, string> | undefined => {
      const j = val!.indexOf('=');
      const k = j < 0 ? val! : val!.slice(0, j);
      return k === '' ? map : { ...(map ?? {}), [k]: j < 0 ? '' : val!.slice(j + 1) };
    };
    switch (key) {
      case 'type': type = val!.toLowerCase(); break;
      case 'source': case 'src': m.source = val!; break;
      case 'target': case 'dst': case 'destination': m.target = val!; break;
      case 'readonly': case 'ro': m.readOnly = boolValue(key, val); break;
      case 'consistency': m.consistency = val!.toLowerCase(); break;
      case 'bind-propagation': used.bind = true; m.bindPropagation = val!.toLowerCase(); break;
      case 'bind-nonrecursive': throw new Error('bind-nonrecursive is deprecated, use bind-recursive=disabled instead');
      case 'bind-recursive':
        if (!['enabled', 'disabled', 'writable', 'readonly'].includes(val!)) {
          throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        }
        if (val !== 'enabled') used.bind = true;
        if (val === 'disabled') m.bindNonRecursive = true;
        recursive = val!;
        break;
      case 'bind-create-src': used.bind = true; boolValue(key, val); break;
      case 'volume-subpath': used.volume = true; break;
      case 'volume-nocopy': used.volume = true; m.volumeNoCopy = boolValue(key, val); break;
      case 'volume-label': used.volume = true; m.volumeLabels = keyValue(m.volumeLabels) ?? m.volumeLabels ?? {}; break;
      case 'volume-driver': used.volume = true; m.volumeDriver = val!; break;
      case 'volume-opt': used.volume = true; m.volumeOptions = keyValue(m.volumeOptions) ?? m.volumeOptions ?? {}; break;
      case 'image-subpath': used.image = true; break;
      case 'tmpfs-size': {
        const n = ramInBytes(val!);
        if (n === null) throw new Error(`invalid value for ${key}: ${val}`);
        used.tmpfs = true;
        m.tmpfsSizeBytes = n;
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val!) || parseInt(val!, 8) >= 2 ** 32) throw new Error(`invalid value for ${key}: ${val}`);
        used.tmpfs = true;
        m.tmpfsMode = parseInt(val!, 8);
        break;
      }
      default:
        throw new Error(`unknown option '${key}' in '${field}'`);
    }
  }
  for (const t of ['bind', 'volume', 'image', 'tmpfs'] as const) {
    if (used[t] && type !== t) throw new Error(`cannot mix '${t}-*' options with mount type '${type}'`);
  }
  if (recursive === 'writable' && !m.readOnly) throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  if (recursive === 'readonly') {
    if (!m.readOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (m.bindPropagation !== 'rprivate') throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
  }
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') {
    // The daemon refuses what swarmkit has no name for; npipe, cluster and image mounts are not simulated.
    if (['npipe', 'cluster', 'image'].includes(type)) throw new Error(`mount type '${type}' is not simulated`);
    throw new Error(`invalid MountType: ${JSON.stringify(type)}`);
  }
  m.type = type;
  return m;
}

export interface FileRefRequest {
  source: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/**
 * `--secret` / `--config` (docker/cli opts/swarmopts/secret.go, config.go): a bare `name`, or
 * `source|src=,target=,uid=,gid=,mode=`; mode goes through strconv.ParseUint(v, 0, 32), so `0400` is
 * octal but `400` is decimal; the target defaults to the source name.
 */
export function parseFileRef(value: string, kind: 'secret' | 'config'): FileRefRequest {
  const r: FileRefRequest = { source: '', target: '', uid: '0', gid: '0', mode: 0o444 };
  if (value === '') throw new Error('EOF');
  const fields = csvFields(value);
  if (fields.length === 1 && !fields[0]!.includes('=')) {
    r.source = fields[0]!;
    r.target = fields[0]!;
    return r;
  }
  for (const field of fields) {
    const i = field.indexOf('=');
    if (i <= 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, i);
    const val = field.slice(i + 1);
    switch (key.toLowerCase()) {
      case 'source': case 'src': r.source = val; break;
      case 'target': r.target = val; break;
      case 'uid': r.uid = val; break;
      case 'gid': r.gid = val; break;
      case 'mode':
        try {
          r.mode = goParseUintBase0(val, 32);
        } catch (e) {
          throw new Error(`invalid mode specified: ${(e as Error).message}`);
        }
        break;
      default: throw new Error(`invalid field in ${kind} request: ${key}`);
    }
  }
  if (r.source === '') throw new Error('source is required');
  if (r.target === '') r.target = r.source;
  return r;
}

/** `--placement-pref spread=node.labels.zone` → the descriptor (docker/cli placementPrefOpts.Set). */
export function parsePlacementPref(value: string): string {
  const i = value.indexOf('=');
  if (i <= 0) throw new Error('placement preference must be of the format "<strategy>=<arg>"');
  const strategy = value.slice(0, i);
  if (strategy !== 'spread') throw new Error(`unsupported placement preference ${strategy} (only spread is supported)`);
  return value.slice(i + 1);
}

const NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/** Service and network names (controlapi/common.go validateAnnotations). */
export function nameError(name: string): string | null {
  if (name === '') return 'meta: name must be provided';
  if (!NAME.test(name)) return 'name must be valid as a DNS name component';
  if (name.length > 63) return 'name must be 63 characters or fewer';
  return null;
}

/** Secret and config names: up to 64 of [a-zA-Z0-9-_.], alphanumeric at both ends. */
export function objectNameError(name: string): string | null {
  if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/.test(name) || name.length > 64) {
    return `invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]`;
  }
  return null;
}

/** Adds `:latest` when no tag or digest is given (reference.ParseNormalizedNamed + TagNameOnly). */
// distribution/reference's grammar (reference/regexp.go): [domain/]path[:tag][@digest].
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/**
 * Whether `ref` is an image reference reference.ParseNormalizedNamed accepts: lower-case path components,
 * an optional registry host (with a port), tag and digest; the name at most 255 characters.
 */
export function validImageReference(ref: string): boolean {
  const m = REFERENCE.exec(ref);
  return m !== null && m[1]!.length <= 255;
}

export function normalizeImage(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

/** The image without its digest, as `service ls` shows it. */
export function imageWithoutDigest(ref: string): string {
  return ref.split('@')[0]!;
}

/** `--reserve-memory 512M` etc., with swarmkit's minimums. */
export function memoryFlag(flag: string, v: string): number {
  const n = ramInBytes(v);
  if (n === null) reject(`invalid argument "${v}" for "${flag}" flag: invalid size: '${v}'`);
  return n;
}

/** One `--network` / `--network-add` value: the network and what its attachment adds. */
export interface NetworkAttachmentRequest {
  target: string;
  aliases: string[];
  driverOpts: Record<string, string>;
}

/** netip.ParseAddr's refusal, in its words for the common cases. */
function parseAddrError(v: string): string | null {
  if (isIP(v)) return null;
  return `ParseAddr(${JSON.stringify(v)}): unable to parse IP`;
}

/**
 * `--network` (docker/cli opts/network.go NetworkOpt.Set): a bare name or ID, or, when the value
 * matches `\w+=\w+(,\w+=\w+)*`, a CSV of `name`, `alias` (repeatable), `driver-opt=k=v`, `ip`, `ip6`,
 * `mac-address`, `link-local-ip`, `gw-priority`, each field lower-cased. A service attachment keeps the
 * target, aliases and driver options (convertNetworks); the addresses are checked and dropped.
 */
export function parseNetworkOpt(value: string): NetworkAttachmentRequest {
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return { target: value, aliases: [], driverOpts: {} };
  const out: NetworkAttachmentRequest = { target: '', aliases: [], driverOpts: {} };
  for (const field of csvFields(value)) {
    const lower = field.toLowerCase();
    const i = lower.indexOf('=');
    if (i <= 0) throw new Error(`invalid field ${field}`);
    const key = lower.slice(0, i).trim();
    const val = lower.slice(i + 1).trim();
    switch (key) {
      case 'name':
        out.target = val;
        break;
      case 'alias':
        out.aliases.push(val);
        break;
      case 'ip':
      case 'ip6':
      case 'link-local-ip': {
        const err = parseAddrError(val);
        if (err) throw new Error(err);
        break;
      }
      case 'mac-address':
        break;
      case 'driver-opt': {
        const j = val.indexOf('=');
        if (j <= 0) throw new Error('invalid key value pair format in driver options');
        out.driverOpts[val.slice(0, j).trim()] = val.slice(j + 1).trim();
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw new Error(`invalid gw-priority (${val}): invalid syntax`);
        break;
      default:
        throw new Error(`invalid field key ${key}`);
    }
  }
  if (out.target === '') throw new Error('network name/id is not specified');
  return out;
}
