/** Bench helpers: temp folders, timing, child processes, and the results table. Wall clock is fine here. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BufferIo, main } from '../src/cli/main.js';

/** The repository root (dist/bench/util.js → ../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI entry point the whole-process figures spawn (BENCH_ENGINE: another build's, to compare). */
export const ENGINE_BIN = process.env.BENCH_ENGINE ?? join(ROOT, 'bin', 'engine.js');
/**
 * The node flags of the entry point's `#!/usr/bin/env -S node …` line (a bigger young generation), so
 * that `process.execPath ENGINE_BIN` runs as the installed `engine` command does.
 */
export const ENGINE_NODE_FLAGS: string[] = (/^#!.*\bnode((?: --?[\w-]+(?:=\S+)?)*)\s*$/m.exec(readFileSync(ENGINE_BIN, 'utf8').split('\n')[0]!)?.[1] ?? '')
  .split(' ').filter(Boolean);

const dirs: string[] = [];

/** A fresh folder under the OS temp dir, removed when the bench ends. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `swarm-engine-bench-${prefix}-`));
  dirs.push(d);
  return d;
}

/** Removes every temp folder made by tempDir. */
export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Milliseconds since an arbitrary origin. */
export function now(): number {
  return performance.now();
}

/** Runs fn and returns its result and duration in ms. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = now();
  const value = await fn();
  return { value, ms: now() - t0 };
}

/** `engine ARGS` in process (as the tests drive it); throws on a non-zero exit. */
export async function engineInProcess(db: string, ...args: string[]): Promise<string> {
  const io = new BufferIo();
  const code = await main(['--db', db, ...args], io, {});
  if (code !== 0) throw new Error(`engine ${args.join(' ')} failed (${code}): ${io.stderr}`);
  return io.stdout;
}

/** `node bin/engine.js --db DB ARGS` as a child process, timed whole (start-up and exit included). */
export function engineProcess(db: string, ...args: string[]): { ms: number; stdout: string } {
  const t0 = now();
  const r = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, ENGINE_BIN, '--db', db, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ENGINE_DB: '' } });
  const ms = now() - t0;
  if (r.status !== 0) throw new Error(`engine ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Writes a scenario file into `dir` and returns its path. */
export function writeScenario(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** One measured figure, with what it is compared with. */
export interface Figure {
  /** What is measured. */
  name: string;
  value: number;
  unit: string;
  /** What it is compared with, in words, and the comparison value. */
  versus: string;
  ratio: number;
  /** The target, in words. */
  target: string;
  pass: boolean;
}

/** Every figure reported so far. */
export const figures: Figure[] = [];

/** Records one figure and prints it at once. */
export function report(f: Figure): void {
  figures.push(f);
  console.log(`  ${f.pass ? 'PASS' : 'MISS'}  ${f.name}: ${fmt(f.value)} ${f.unit}  (${f.versus}; ratio ${f.ratio.toFixed(2)}; target ${f.target})`);
}

/** A number with a sensible precision. */
export function fmt(x: number): string {
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** A small deterministic PRNG for the bench's choices (positions, node picks). */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}
