/** docker/cli's parsers for service flags: --publish, --mount, --secret/--config, --placement-pref, names. */
import type { MountSpec, PortConfig } from '../../events/index.js';
import { reject } from './rejection.js';
import { ramInBytes } from './units.js';

/** Go's encoding/csv reading of one record (quotes allowed). */
export function csvFields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (q) {
      if (c === '"' && value[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"' && cur === '') q = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  if (q) throw new Error(`parse error on line 1, column ${value.length + 1}: extraneous or missing " in quoted-field`);
  out.push(cur);
  return out;
}

function parseUint(v: string, bits: number): number {
  if (!/^\d+$/.test(v)) throw new Error(`strconv.ParseUint: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (n >= 2 ** bits) throw new Error(`strconv.ParseUint: parsing "${v}": value out of range`);
  return n;
}

function portRange(spec: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) throw new Error(`Invalid ${what}: ${spec}`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a > 65535 || b > 65535 || b < a) throw new Error(`Invalid ${what}: ${spec}`);
  return [a, b];
}

/** `--publish`: long form (`published=8080,target=80,protocol=udp,mode=host`, lower-cased) or `[published:]target[/proto]`. */
export function parsePublish(value: string): PortConfig[] {
  if (/\w+=\w+(,\w+=\w+)*/.test(value)) {
    const p: PortConfig = { protocol: 'tcp', targetPort: 0, publishedPort: 0, publishMode: 'ingress' };
    for (const field of csvFields(value)) {
      const f = field.toLowerCase();
      const i = f.indexOf('=');
      if (i <= 0) throw new Error(`invalid field ${field}`);
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
        case 'target': p.targetPort = parseUint(val, 16); break;
        case 'published': p.publishedPort = parseUint(val, 16); break;
        default: throw new Error(`invalid field key ${key}`);
      }
    }
    if (p.targetPort === 0) throw new Error('missing mandatory field "target"');
    return [p];
  }
  // Short syntax (go-connections nat.ParsePortSpec): [ip:]hostPort:containerPort[/proto]
  let rest = value;
  let proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    proto = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new Error(`Invalid proto: ${proto}`);
  }
  const parts = rest.split(':');
  if (parts.length > 3) throw new Error(`Invalid hostPort: ${value}`);
  if (parts.length === 3) {
    if (parts[0] !== '') throw new Error('hostip is not supported');
    parts.shift();
  }
  const containerSpec = parts.at(-1)!;
  const hostSpec = parts.length === 2 ? parts[0]! : '';
  if (containerSpec === '') throw new Error(`No port specified: ${value}<empty>`);
  const [c0, c1] = portRange(containerSpec, 'containerPort');
  const host = hostSpec === '' ? null : portRange(hostSpec, 'hostPort');
  const out: PortConfig[] = [];
  const mk = (target: number, published: number): PortConfig => ({ protocol: proto as PortConfig['protocol'], targetPort: target, publishedPort: published, publishMode: 'ingress' });
  if (!host) {
    for (let c = c0; c <= c1; c++) out.push(mk(c, 0));
  } else if (c0 === c1) {
    for (let h = host[0]; h <= host[1]; h++) out.push(mk(c0, h));
  } else {
    if (host[1] - host[0] !== c1 - c0) throw new Error(`Invalid ranges specified for container and host Ports: ${containerSpec} and ${hostSpec}`);
    for (let i = 0; i <= c1 - c0; i++) out.push(mk(c0 + i, host[0] + i));
  }
  return out;
}

function bool(key: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (['1', 't', 'true'].includes(l)) return true;
  if (['0', 'f', 'false'].includes(l)) return false;
  throw new Error(`invalid value for ${key}: ${v}`);
}

/** `--mount` (opts/mount.go): CSV of key=value; type defaults to volume; options of another type are refused. */
export function parseMount(value: string): MountSpec {
  const m: MountSpec = { type: 'volume', source: '', target: '', readOnly: false };
  let typeSet: string | null = null;
  const used = { volume: false, bind: false, tmpfs: false };
  for (const field of csvFields(value)) {
    const i = field.indexOf('=');
    const key = (i < 0 ? field : field.slice(0, i)).toLowerCase();
    const val = i < 0 ? undefined : field.slice(i + 1);
    if (i < 0 && key !== 'readonly' && key !== 'ro' && key !== 'volume-nocopy' && key !== 'bind-nonrecursive') {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        if (val !== 'volume' && val !== 'bind' && val !== 'tmpfs' && val !== 'npipe' && val !== 'cluster' && val !== 'image') throw new Error(`invalid mount type: ${val}`);
        if (val === 'npipe' || val === 'cluster' || val === 'image') throw new Error(`mount type '${val}' is not simulated`);
        typeSet = val;
        m.type = val;
        break;
      case 'source': case 'src': m.source = val!; break;
      case 'target': case 'dst': case 'destination': m.target = val!; break;
      case 'readonly': case 'ro': m.readOnly = bool(key, val); break;
      case 'consistency': m.consistency = val!; break;
      case 'bind-propagation': used.bind = true; m.bindPropagation = val!.toLowerCase(); break;
      case 'bind-nonrecursive': used.bind = true; m.bindNonRecursive = bool(key, val); break;
      case 'volume-nocopy': used.volume = true; m.volumeNoCopy = bool(key, val); break;
      case 'volume-label': {
        used.volume = true;
        const [k, ...v] = val!.split('=');
        m.volumeLabels = { ...(m.volumeLabels ?? {}), [k!]: v.join('=') };
        break;
      }
      case 'volume-driver': used.volume = true; m.volumeDriver = val!; break;
      case 'volume-opt': {
        used.volume = true;
        const j = val!.indexOf('=');
        if (j < 0) throw new Error(`invalid value for ${key}: ${val}`);
        m.volumeOptions = { ...(m.volumeOptions ?? {}), [val!.slice(0, j)]: val!.slice(j + 1) };
        break;
      }
      case 'tmpfs-size': {
        used.tmpfs = true;
        const n = ramInBytes(val!);
        if (n === null) throw new Error(`invalid value for ${key}: ${val}`);
        m.tmpfsSizeBytes = n;
        break;
      }
      case 'tmpfs-mode': {
        used.tmpfs = true;
        if (!/^[0-7]+$/.test(val!)) throw new Error(`invalid value for ${key}: ${val}`);
        m.tmpfsMode = parseInt(val!, 8);
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  void typeSet;
  for (const t of ['volume', 'bind', 'tmpfs'] as const) {
    if (used[t] && m.type !== t) throw new Error(`cannot mix '${t}-*' options with mount type '${m.type}'`);
  }
  return m;
}

export interface FileRefRequest {
  source: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/** `--secret` / `--config`: `name` or `source=,target=,uid=,gid=,mode=` (mode with base detection: 0400 octal, 400 decimal). */
export function parseFileRef(value: string, kind: 'secret' | 'config'): FileRefRequest {
  const r: FileRefRequest = { source: '', target: '', uid: '0', gid: '0', mode: 0o444 };
  if (!value.includes('=')) {
    r.source = value;
  } else {
    for (const field of csvFields(value)) {
      const i = field.indexOf('=');
      if (i < 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
      const key = field.slice(0, i).toLowerCase();
      const val = field.slice(i + 1);
      switch (key) {
        case 'source': case 'src': r.source = val; break;
        case 'target': r.target = val; break;
        case 'uid': r.uid = val; break;
        case 'gid': r.gid = val; break;
        case 'mode': {
          const base = /^0x/i.test(val) ? 16 : /^0[0-7]+$/.test(val) ? 8 : /^0b/i.test(val) ? 2 : 10;
          const digits = base === 16 || base === 2 ? val.slice(2) : val;
          const n = parseInt(digits, base);
          if (Number.isNaN(n) || !/^[0-9a-fA-FxXbBoO]+$/.test(val)) throw new Error(`invalid mode specified: strconv.ParseUint: parsing "${val}": invalid syntax`);
          r.mode = n;
          break;
        }
        default: throw new Error(`invalid field in ${kind} request: ${key}`);
      }
    }
    if (r.source === '') throw new Error(`source is required`);
  }
  if (r.target === '') r.target = r.source;
  return r;
}

/** `--placement-pref spread=node.labels.zone` → the descriptor. */
export function parsePlacementPref(value: string): string {
  const i = value.indexOf('=');
  if (i < 0) throw new Error(`invalid placement preference "${value}": expected spread=<descriptor>`);
  const strategy = value.slice(0, i).toLowerCase();
  if (strategy !== 'spread') throw new Error(`unsupported placement preference ${value.slice(0, i)} (only spread is supported)`);
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
