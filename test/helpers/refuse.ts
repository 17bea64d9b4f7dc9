/** CLI assertions shared by the CLI tests: a refused command leaves no trace, as the contract says. */
import { expect } from 'vitest';
import type { CliResult, TestCli } from './cli.js';

/** What the log looks like from outside: its events and the state hash at HEAD. */
export async function fingerprint(cli: TestCli): Promise<{ events: number; hash: string; branches: string }> {
  const log = await cli.ok('log', '--json');
  return { events: log.split('\n').filter(Boolean).length, hash: (await cli.ok('state', '--hash')).trim(), branches: await cli.ok('branch') };
}

/**
 * Runs a command that must fail: exactly one `Error:` line first on stderr (only usage hints may follow),
 * a non-zero exit, no stdout, no stack trace, and nothing appended (same events, same state hash).
 * Returns the `Error:` line.
 */
export async function refused(cli: TestCli, ...args: string[]): Promise<string> {
  const before = await fingerprint(cli);
  const r = await cli.run(...args);
  expectCleanError(r, args);
  expect(await fingerprint(cli), `engine ${args.join(' ')} appended nothing`).toEqual(before);
  return r.stderr.split('\n')[0]!;
}

/** The shape of a refusal on stderr, whatever its message. */
export function expectCleanError(r: CliResult, args: string[]): void {
  const what = `engine ${args.join(' ')}`;
  expect(r.code, `${what} exits non-zero`).not.toBe(0);
  expect(r.stdout, `${what} prints nothing on stdout`).toBe('');
  expect(r.stderr, `${what}: one Error: line`).toMatch(/^Error: \S.*\n/);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  // Docker's usage hints are the only thing allowed after the error line.
  for (const l of lines.slice(1)) expect(l, `${what}: line after the error`).toMatch(/^(See '.* --help'\.|Run '.* --help' for usage\.)$/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/InvariantError|TypeError|ReferenceError|internal error/);
}

/** The five-node cluster of the seeds, built the way a user types it. */
export const FIVE_NODES = `
host add manager1 --ip 192.168.99.100
host add manager2 --ip 192.168.99.101
host add manager3 --ip 192.168.99.102
host add worker1 --ip 192.168.99.103
host add worker2 --ip 192.168.99.104
--on manager1 swarm init --advertise-addr 192.168.99.100
--on manager2 swarm join --token $(swarm join-token -q manager) 192.168.99.100:2377
--on manager3 swarm join --token $(swarm join-token -q manager) 192.168.99.100:2377
--on worker1 swarm join --token $(swarm join-token -q worker) 192.168.99.100:2377
--on worker2 swarm join --token $(swarm join-token -q worker) 192.168.99.100:2377
`;

/** Runs a scenario and fails the test if any line fails. */
export async function given(cli: TestCli, scenario: string): Promise<void> {
  const r = await cli.scenario(scenario);
  if (r.code !== 0) throw new Error(`scenario failed: ${r.stderr}`);
}

/** `node ls` rows as objects (via --format json, the keys Docker prints). */
export async function nodeRows(cli: TestCli, ...global: string[]): Promise<Record<string, string | boolean>[]> {
  const out = await cli.ok(...global, 'node', 'ls', '--format', 'json');
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string | boolean>);
}

/** Status of one node by hostname, as node ls shows it. */
export async function nodeStatus(cli: TestCli, hostname: string, ...global: string[]): Promise<string> {
  const row = (await nodeRows(cli, ...global)).find((r) => r.Hostname === hostname);
  if (!row) throw new Error(`no node ${hostname} in node ls`);
  return String(row.Status);
}
