#!/usr/bin/env -S node --max-semi-space-size=64
import { main } from '../dist/src/cli/main.js';

// A reader that goes away early (`engine log | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
