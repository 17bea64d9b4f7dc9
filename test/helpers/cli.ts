/** Drives the real CLI in process against a real LevelDB in a temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferIo, main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestCli {
  readonly dir: string;
  constructor(prefix = 'swarm-engine-test-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** `engine --db <tmp> ...args` */
  async run(...args: string[]): Promise<CliResult> {
    const io = new BufferIo();
    const code = await main(['--db', this.dir, ...args], io, {});
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  /** Like run, but fails the test when the command fails. */
  async ok(...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new Error(`engine ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Runs a scenario given inline. */
  async scenario(text: string): Promise<CliResult> {
    const { writeFileSync } = await import('node:fs');
    const file = join(this.dir, `scenario-${Math.abs(hashString(text))}.swarm`);
    writeFileSync(file, text);
    return this.run('run', '-q', file);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
