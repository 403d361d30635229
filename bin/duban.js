#!/usr/bin/env node
// duban runs its TypeScript directly (tsx), so `npx duban` works right after `npm install` with no build step.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  });
