/** Simulation commands for hosts: add, crash, boot. */
import type { EngineEvent } from '../../events/index.js';
import { tget, tvalues } from '../state/table.js';
import type { State } from '../state/types.js';
import { reject } from './rejection.js';
import { intToIp, ipToInt, isIPv4 } from './units.js';

export interface HostAddInput {
  name: string;
  ip?: string;
  nanoCpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  labels: Record<string, string>;
  engineVersion: string;
}

const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,62}[a-zA-Z0-9])?$/;
/** Hosts without --ip get docker-machine's addresses: 192.168.99.100, .101, … */
const FIRST_AUTO_IP = ipToInt('192.168.99.100');

export function decideHostAdd(s: State, input: HostAddInput): EngineEvent[] {
  if (!HOSTNAME.test(input.name)) reject(`invalid host name "${input.name}": use letters, digits, '.', '-' and '_' (at most 64 characters)`);
  if (tget(s.hosts, input.name)) reject(`host ${input.name} already exists`);
  const used = new Set(tvalues(s.hosts).map((h) => h.ip));
  let ip = input.ip;
  if (ip !== undefined) {
    if (!isIPv4(ip)) reject(`invalid IP address: ${ip}`);
    if (used.has(ip)) reject(`IP address ${ip} is already used by host ${tvalues(s.hosts).find((h) => h.ip === ip)!.name}`);
  } else {
    let n = FIRST_AUTO_IP + s.hosts.n;
    while (used.has(intToIp(n))) n++;
    ip = intToIp(n);
  }
  return [{ type: 'HostAdded', name: input.name, ip, nanoCpus: input.nanoCpus, memoryBytes: input.memoryBytes, os: input.os, arch: input.arch, labels: input.labels, engineVersion: input.engineVersion }];
}

export function decideHostCrash(s: State, name: string): EngineEvent[] {
  const h = tget(s.hosts, name);
  if (!h) reject(`no such host: ${name}`);
  if (!h.up) reject(`host ${name} is already down`);
  return [{ type: 'HostCrashed', name }];
}

export function decideHostBoot(s: State, name: string): EngineEvent[] {
  const h = tget(s.hosts, name);
  if (!h) reject(`no such host: ${name}`);
  if (h.up) reject(`host ${name} is already up`);
  return [{ type: 'HostBooted', name }];
}
