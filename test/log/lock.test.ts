/** One engine at a time per log: a second opener gets one clear Error: line, never a stack trace. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/store.js';
import { TestCli } from '../helpers/cli.js';

const BIN = join(__dirname, '..', '..', 'bin', 'engine.js');
let cli: TestCli;
beforeEach(async () => {
  cli = new TestCli();
  await cli.ok('host', 'add', 'manager1');
});
afterEach(() => cli.cleanup());

describe('a log already open', () => {
  it('refuses a second open in the same process, then works once released', async () => {
    const before = await cli.ok('log', '--json');
    const held = await EventLog.open(cli.dir);
    try {
      for (const argv of [['log'], ['host', 'add', 'worker1'], ['state', '--hash']]) {
        expect(await cli.run(...argv)).toEqual({ code: 1, stdout: '', stderr: `Error: the event log at ${cli.dir} is in use by another engine process\n` });
      }
    } finally {
      await held.close();
    }
    expect(await cli.ok('log', '--json')).toBe(before); // nothing was appended meanwhile
  });

  it.skipIf(!existsSync(join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js')))('refuses another process, with one line on stderr', async () => {
    const held = await EventLog.open(cli.dir);
    try {
      const r = spawnSync(process.execPath, [BIN, '--db', cli.dir, 'node', 'ls'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`Error: the event log at ${cli.dir} is in use by another engine process\n`);
    } finally {
      await held.close();
    }
  });
});
