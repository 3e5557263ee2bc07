#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { runCli } from '../dist/src/cli.js';

process.exitCode = await runCli(process.argv.slice(2));
