/**
 * Shared by the service, scheduler, stack and parse suites: small swarms built the way a user types
 * them, and readers for what `service ps/ls/inspect` and `engine log --json` print.
 */
import { afterAll, expect } from 'vitest';
import { TestCli, type CliResult } from '../helpers/cli.js';

/** A TestCli per test file (or per scenario), cleaned up when the file is done. */
export function clis(): () => TestCli {
  const made: TestCli[] = [];
  afterAll(() => made.forEach((c) => c.cleanup()));
  return () => {
    const c = new TestCli('swarm-engine-svc-');
    made.push(c);
    return c;
  };
}

export interface SwarmShape {
  managers?: string[];
  workers?: string[];
  /** Extra `host add` flags per host, e.g. { w1: '--cpus 1 --label disk=ssd' }. */
  hostFlags?: Record<string, string>;
}

/** The scenario text of a swarm: hosts, `swarm init` on the first manager, joins. */
export function swarmScenario({ managers = ['m1'], workers = [], hostFlags = {} }: SwarmShape): string {
  const [first, ...others] = managers;
  const lines = [...managers, ...workers].map((h) => `host add ${h}${hostFlags[h] ? ` ${hostFlags[h]}` : ''}`);
  lines.push(`--on ${first} swarm init`);
  for (const m of others) lines.push(`--on ${m} swarm join --token $(swarm join-token -q manager) ${first}:2377`);
  for (const w of workers) lines.push(`--on ${w} swarm join --token $(swarm join-token -q worker) ${first}:2377`);
  return lines.join('\n') + '\n';
}

/** Runs a scenario; the test fails (with the scenario's error) if any line fails. */
export async function given(cli: TestCli, scenario: string): Promise<void> {
  const r = await cli.scenario(scenario);
  if (r.code !== 0) throw new Error(`scenario failed: ${r.stderr}`);
}

export async function swarm(cli: TestCli, shape: SwarmShape, more = ''): Promise<void> {
  await given(cli, swarmScenario(shape) + more);
}

/** One row of `service ps --format json` (the keys docker prints). */
export interface PsRow {
  ID: string;
  Name: string;
  Image: string;
  Node: string;
  DesiredState: string;
  CurrentState: string;
  Error: string;
  Ports: string;
}

function jsonLines<T>(out: string): T[] {
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

export async function ps(cli: TestCli, ...args: string[]): Promise<PsRow[]> {
  return jsonLines<PsRow>(await cli.ok('service', 'ps', '--format', 'json', ...args));
}

/** The tasks meant to run (desired Running or Ready): one per slot. */
export async function current(cli: TestCli, service: string, ...args: string[]): Promise<PsRow[]> {
  return (await ps(cli, service, ...args)).filter((r) => !r.Name.startsWith(' \\_ ') && (r.DesiredState === 'Running' || r.DesiredState === 'Ready'));
}

/** node hostname → number of tasks (rows) on it. */
export function perNode(rows: { Node: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.Node] = (out[r.Node] ?? 0) + 1;
  return out;
}

/** Counts sorted from the most loaded node down, e.g. [4, 4, 4, 3, 3]. */
export function spread(rows: { Node: string }[]): number[] {
  return Object.values(perNode(rows)).sort((a, b) => b - a);
}

export interface LsRow {
  ID: string;
  Name: string;
  Mode: string;
  Replicas: string;
  Image: string;
  Ports: string;
}

export async function ls(cli: TestCli, ...args: string[]): Promise<LsRow[]> {
  return jsonLines<LsRow>(await cli.ok('service', 'ls', '--format', 'json', ...args));
}

export async function replicas(cli: TestCli, service: string): Promise<string> {
  const row = (await ls(cli)).find((r) => r.Name === service);
  if (!row) throw new Error(`no service ${service} in service ls`);
  return row.Replicas;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function inspect(cli: TestCli, ref: string): Promise<Json> {
  const arr = JSON.parse(await cli.ok('service', 'inspect', ref)) as Json[];
  expect(arr).toHaveLength(1);
  return arr[0];
}

export interface LogLine {
  seq: number;
  atMs: number;
  batch: number;
  type: string;
  event: Json;
}

export async function log(cli: TestCli, ...types: string[]): Promise<LogLine[]> {
  const args = types.flatMap((t) => ['--type', t]);
  return jsonLines<LogLine>(await cli.ok('log', '--json', ...args));
}

/** The whole log and the state hash at HEAD: what a refused command must leave untouched. */
export async function fingerprint(cli: TestCli): Promise<{ lastSeq: number; hash: string }> {
  const last = (await cli.ok('log', '--json', '-n', '1')).trim();
  return { lastSeq: last ? (JSON.parse(last) as { seq: number }).seq : 0, hash: (await cli.ok('state', '--hash')).trim() };
}

/** The contract for bad input: one `Error:` line first on stderr, non-zero exit, nothing on stdout. */
export function expectError(r: CliResult, what: string): string {
  expect(r.code, `${what} exits non-zero`).not.toBe(0);
  expect(r.stdout, `${what} prints nothing on stdout`).toBe('');
  expect(r.stderr, `${what} starts with one Error: line`).toMatch(/^Error: \S/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/InvariantError|TypeError|ReferenceError|internal error/);
  return r.stderr.split('\n')[0]!;
}

/**
 * Runs a command that must be refused: Docker's `Error:` line, and nothing appended to the log
 * (same number of events, same state hash). Returns the whole stderr.
 */
export async function refused(cli: TestCli, ...args: string[]): Promise<string> {
  const before = await fingerprint(cli);
  const r = await cli.run(...args);
  expectError(r, `engine ${args.join(' ')}`);
  expect(await fingerprint(cli), `engine ${args.join(' ')} appended nothing`).toEqual(before);
  return r.stderr;
}

/**
 * Several commands that must all be refused: each prints Docker's `Error:` line (returned, in order),
 * and together they append nothing (one fingerprint before, one after).
 */
export async function refusedEach(cli: TestCli, commands: string[][]): Promise<string[]> {
  const before = await fingerprint(cli);
  const lines: string[] = [];
  for (const args of commands) lines.push(expectError(await cli.run(...args), `engine ${args.join(' ')}`));
  expect(await fingerprint(cli), 'the refused commands appended nothing').toEqual(before);
  return lines;
}

/** The first line of a refusal, `Error: …`. */
export async function refusedWith(cli: TestCli, ...args: string[]): Promise<string> {
  return (await refused(cli, ...args)).split('\n')[0]!;
}

export const DAEMON = 'Error: Error response from daemon: ';
export const RPC = (code: string) => `${DAEMON}rpc error: code = ${code} desc = `;
export const NOT_A_MANAGER =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
