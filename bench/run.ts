/**
 * `npm run bench`: the performance figures of docs/PERFORMANCE.md, each with what it is compared with
 * in the same run. Everything runs in temp folders; wall-clock time is measured here, never in src/.
 *
 *   npm run bench                                  the default sections: append, biglog, flat, cli
 *   node dist/bench/run.js flat cli                only these sections
 *   node dist/bench/run.js flatnet swarm2k swarm10k sched pertask net ipam   the scale sections (not run by default)
 *
 * Sizes can be lowered for a quick look: BENCH_EVENTS=100000 (the big log), BENCH_CLI_UPDATES=2000,
 * BENCH_FLAT_EVENTS=5000, BENCH_APPEND_EVENTS=50000, BENCH_QUICK=1 (scale sections).
 */
import { cpus, loadavg } from 'node:os';
import { appendSection } from './append.js';
import { bigLogSection } from './biglog.js';
import { cliSection } from './cli.js';
import { flatNetSection, flatSection } from './flat.js';
import { ipAllocation, networks, perEventTasks, scheduling, swarm10k, swarm2k } from './scale.js';
import { cleanupTempDirs, figures, fmt, now } from './util.js';

/** The figures of the performance targets, run by default. */
const DEFAULT: Record<string, () => Promise<void> | void> = {
  append: appendSection,
  biglog: bigLogSection,
  flat: flatSection,
  cli: cliSection,
};

/** Scale figures of the Swarm model, run only when named. */
const EXTRA: Record<string, () => Promise<void> | void> = {
  flatnet: flatNetSection, swarm2k, swarm10k, sched: scheduling, pertask: perEventTasks, net: networks, ipam: ipAllocation,
};

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

async function run(): Promise<number> {
  const picked = process.argv.slice(2);
  const all = { ...DEFAULT, ...EXTRA };
  for (const p of picked) if (!all[p]) throw new Error(`unknown section ${p}: use ${Object.keys(all).join(', ')}`);
  const t0 = now();
  console.log(`swarm-engine bench — node ${process.version}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 10)}, load average ${load()}`);
  try {
    for (const [name, section] of Object.entries(all)) {
      if (picked.length ? !picked.includes(name) : !DEFAULT[name]) continue;
      console.log(`\n[${name}] (load average ${load()})`);
      await section();
    }
  } finally {
    cleanupTempDirs();
  }
  const missed = figures.filter((f) => !f.pass);
  console.log(`\n${figures.length} target figures, ${missed.length} missed, ${fmt((now() - t0) / 1000)} s in all (load average ${load()})`);
  for (const f of missed) console.log(`  missed: ${f.name} (${fmt(f.value)} ${f.unit}, target ${f.target})`);
  return 0;
}

run().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err); cleanupTempDirs(); process.exitCode = 1; });
