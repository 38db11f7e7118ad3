#!/usr/bin/env node
// The ocrflow command: the JavaScript build in dist/, or the TypeScript sources (load-main.mjs).
import { loadMain } from './load-main.mjs';
const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
