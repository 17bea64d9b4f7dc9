/**
 * `docker exec`: a few commands a user types inside a container, answered from the simulated state
 * (files under /run/secrets and config targets, /etc/hosts, /etc/resolv.conf, /etc/hostname, hostname,
 * env). Read-only: exec records no event.
 */
import type { ContainerView } from './containers.js';
import { unseal } from './objects.js';
import { taskSpecOf } from '../controllers/orchestrator/spec.js';
import { tget } from '../state/table.js';
import type { State } from '../state/types.js';
import { endpointsOf } from '../net/local.js';
import { etcHostsText, nslookup, ping, resolvConfText } from '../net/views.js';
import { ipTool } from '../net/iptool.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0 });

/** The files the container sees, by absolute path. */
function files(s: State, c: ContainerView): Map<string, string> {
  // The three files dockerd bind-mounts into every container (libnetwork writes hosts and resolv.conf).
  const eps = endpointsOf(s, c.host, c.id.slice(0, 12));
  const out = new Map<string, string>([
    ['/etc/hostname', `${c.hostname}\n`],
    ['/etc/hosts', etcHostsText(s, c, eps)],
    ['/etc/resolv.conf', resolvConfText(s, c, eps)],
  ]);
  const svc = c.task ? tget(s.services, c.task.serviceId) : undefined;
  const spec = svc && c.task ? taskSpecOf(svc, c.task) : undefined;
  if (spec && s.swarm) {
    for (const r of spec.secrets) {
      const sec = tget(s.secrets, r.id);
      if (sec) out.set(r.target.startsWith('/') ? r.target : `/run/secrets/${r.target}`, unseal(s.swarm, sec.sealed).toString('utf8'));
    }
    for (const r of spec.configs) {
      const cfg = tget(s.configs, r.id);
      if (cfg) out.set(r.target.startsWith('/') ? r.target : `/${r.target}`, Buffer.from(cfg.data, 'base64').toString('utf8'));
    }
  }
  return out;
}

function notFound(cmd: string): ExecResult {
  return { stdout: '', stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`, code: 127 };
}

export function execIn(s: State, c: ContainerView, argv: string[]): ExecResult {
  const [cmd, ...args] = argv;
  if (!cmd) return { stdout: '', stderr: 'No command specified', code: 1 };
  const fs = files(s, c);
  switch (cmd) {
    case 'cat': {
      let out = '';
      for (const p of args) {
        const f = fs.get(p);
        if (f === undefined) return { stdout: out, stderr: `cat: can't open '${p}': No such file or directory`, code: 1 };
        out += f;
      }
      return ok(out);
    }
    case 'ls': {
      const dir = (args.find((a) => !a.startsWith('-')) ?? '/').replace(/\/$/, '') || '/';
      const names = [...fs.keys()].filter((p) => p.startsWith(dir + '/')).map((p) => p.slice(dir.length + 1).split('/')[0]!);
      if (names.length === 0) return { stdout: '', stderr: `ls: ${dir}: No such file or directory`, code: 1 };
      return ok([...new Set(names)].sort().map((n) => `${n}\n`).join(''));
    }
    case 'hostname': return ok(`${c.hostname}\n`);
    case 'env':
    case 'printenv': {
      const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${c.hostname}`, ...c.env, 'HOME=/root'];
      if (cmd === 'printenv' && args.length) {
        const vals = args.map((a) => env.find((e) => e.startsWith(`${a}=`))?.slice(a.length + 1)).filter((v) => v !== undefined);
        return { stdout: vals.map((v) => `${v}\n`).join(''), stderr: '', code: vals.length === args.length ? 0 : 1 };
      }
      return ok(env.map((e) => `${e}\n`).join(''));
    }
    case 'echo': return ok(`${args.join(' ')}\n`);
    case 'true': return ok('');
    case 'false': return { stdout: '', stderr: '', code: 1 };
    case 'whoami': return ok('root\n');
    case 'sh':
    case 'bash':
      if (args[0] === '-c' && args[1] !== undefined) return execIn(s, c, args[1].trim().split(/\s+/));
      return notFound(cmd);
    default:
      return netTool(s, c, cmd, args) ?? notFound(cmd);
  }
}

/** Network tools inside the container's network namespace (src/net/views.ts). */
function netTool(s: State, c: ContainerView, cmd: string, args: string[]): ExecResult | null {
  const sandbox = c.id.slice(0, 12);
  const eps = endpointsOf(s, c.host, sandbox);
  switch (cmd) {
    case 'ip': return ipTool(s, c.host, sandbox, args);
    case 'ping': return ping(s, c, eps, args);
    case 'nslookup': return nslookup(s, c, eps, args);
    default: return null;
  }
}
