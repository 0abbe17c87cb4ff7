#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm ci` is the whole build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli/index.ts');
const code = await main(process.argv.slice(2));
// -1: a server that runs until a signal ends it.
if (code >= 0) process.exit(code);
