/**
 * The `ip` command inside a namespace (a host's root namespace, a sandbox, a container's): `ip [-4|-6]
 * [-d] [-br] addr|link|route|neigh [show [dev] IFNAME]`, rendered from state by views.ts and vxlan.ts.
 */
import type { State } from '../state/types.js';
import { ipAddr, ipRoute, linksIn, type ToolResult } from './views.js';
import { ipNeigh } from './vxlan.js';

const OBJECTS: Record<string, 'addr' | 'link' | 'route' | 'neigh'> = {
  a: 'addr', ad: 'addr', addr: 'addr', addre: 'addr', address: 'addr',
  l: 'link', li: 'link', lin: 'link', link: 'link',
  r: 'route', ro: 'route', rou: 'route', rout: 'route', route: 'route',
  n: 'neigh', ne: 'neigh', nei: 'neigh', neigh: 'neigh', neighbor: 'neigh', neighbour: 'neigh',
};

const fail = (stderr: string): ToolResult => ({ stdout: '', stderr, code: 1 });

/** The blocks of `ip addr`, one per interface (its first line starts with `N: `). */
function blocks(text: string): string[] {
  return text.split(/\n(?=\d+: )/).map((b) => (b.endsWith('\n') ? b : `${b}\n`));
}

/** The interface name a block is about (`eth0` for `21: eth0@if22: …`). */
function blockName(block: string): string {
  return /^\d+: ([^:@]+)/.exec(block)![1]!;
}

/** iproute2's `-br` line: name, state, addresses (`%-16s %-14s `). */
function brief(block: string, what: 'addr' | 'link'): string {
  const head = /^\d+: ([^:]+): <([^>]*)>/.exec(block)!;
  const name = head[1]!;
  const state = name === 'lo' ? 'UNKNOWN' : head[2]!.split(',').includes('UP') ? 'UP' : 'DOWN';
  const tail = what === 'addr'
    ? [...block.matchAll(/^\s+inet6? (\S+)/gm)].map((m) => `${m[1]} `).join('')
    : `${/link\/\S+ (\S+)/.exec(block)![1]} <${head[2]}> `;
  return `${name.padEnd(16)} ${state.padEnd(14)} ${tail}\n`;
}

/** `ip …` in `netns` on `host` ('' = the root namespace), as iproute2 (or busybox's applet) answers it. */
export function ipTool(s: State, host: string, netns: string, argv: string[]): ToolResult {
  const args = [...argv];
  let family: 4 | 6 | 0 = 0;
  let briefMode = false;
  while (args[0]?.startsWith('-')) {
    const o = args.shift()!;
    if (o === '-4') family = 4;
    else if (o === '-6') family = 6;
    else if (o === '-br' || o === '-brief') briefMode = true;
    else if (o === '-d' || o === '-details' || o === '-s' || o === '-stats' || o === '-c' || o === '-color') continue;
    else return fail(`Option "${o}" is unknown, try "ip -help".`);
  }
  const word = args.shift() ?? '';
  const obj = OBJECTS[word];
  if (!obj) return fail(word === '' ? 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }' : `Object "${word}" is unknown, try "ip help".`);
  const verb = args[0] === undefined || ['show', 'list', 'lst', 'ls', 'sh'].includes(args[0]) ? args.shift() : args[0];
  if (verb !== undefined && !['show', 'list', 'lst', 'ls', 'sh'].includes(verb)) return fail(`Command "${verb}" is unknown, try "ip ${obj} help".`);
  if (args[0] === 'dev') args.shift();
  const dev = args.shift();

  if (obj === 'route') return { stdout: family === 6 ? '' : ipRoute(s, host, netns), stderr: '', code: 0 };
  if (obj === 'neigh') return { stdout: family === 6 ? '' : ipNeigh(s, host, netns) ?? '', stderr: '', code: 0 };

  let list = blocks(ipAddr(s, host, netns));
  if (dev !== undefined) {
    if (dev !== 'lo' && !linksIn(s, host, netns).some((l) => l.name === dev)) return fail(`Device "${dev}" does not exist.`);
    list = list.filter((b) => blockName(b) === dev);
  }
  if (obj === 'link') list = list.map((b) => b.split('\n').filter((l) => !/^\s+(inet|valid_lft)/.test(l)).join('\n'));
  // No IPv6 is simulated: `-6` lists no addresses, `-4` keeps the interfaces that have one.
  if (obj === 'addr' && family === 6) list = [];
  // `-4` keeps the interfaces that have an address, and their address lines alone.
  if (obj === 'addr' && family === 4) list = list.filter((b) => /\binet /.test(b)).map((b) => b.split('\n').filter((l) => !/^\s+(link\/|vxlan )/.test(l)).join('\n'));
  const text = briefMode ? list.map((b) => brief(b, obj)).join('') : list.join('');
  return { stdout: text, stderr: '', code: 0 };
}
