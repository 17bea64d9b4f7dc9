/** Engine verbs for tasks: `task fail` makes a task's container exit, as if its process died. */
import type { Command } from 'commander';
import { daemon, reject } from '../../commands/rejection.js';
import { tvalues } from '../../state/table.js';
import { decide, type CliContext } from '../context.js';
import { intFlag } from '../flags.js';

export function registerTask(program: Command, ctx: CliContext): void {
  const task = program.command('task').description('Simulation verbs for swarm tasks');
  task.command('fail <task>').description("Make a running task's container exit with a non-zero code (default 1)")
    .option('--exit-code <n>', 'exit code', intFlag('--exit-code'), 1)
    .action(async (ref: string, o: { exitCode: number }) => {
      if (o.exitCode === 0) reject('a failure needs a non-zero exit code (use `engine stop` for a clean exit)');
      await decide(ctx, (s) => {
        const matches = tvalues(s.tasks).filter((t) => t.id === ref || t.id.startsWith(ref));
        const t = matches.length === 1 ? matches[0]! : matches.find((x) => x.id === ref);
        if (!t) daemon(matches.length > 1 ? `task ${ref} is ambiguous (${matches.length} matches found)` : `no such task: ${ref}`);
        if (t.state !== 'running') daemon(`task ${t.id} is not running (${t.state})`);
        return [{ type: 'TaskStateChanged', taskId: t.id, from: t.state, to: 'failed', message: 'started', err: `task: non-zero exit (${o.exitCode})`, exitCode: o.exitCode }];
      });
      ctx.io.out(`${ref}\n`);
    });
}
