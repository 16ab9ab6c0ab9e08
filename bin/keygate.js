#!/usr/bin/env node
// Runs the compiled server (dist/, made by `npm run build`) with plain node: no TypeScript loader
// at run time, so the CLI answers fast and the server starts lean.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/runtime/main.js', import.meta.url);
const tickPin = new URL('../dist/runtime/tick-object-map.js', import.meta.url);
if (!existsSync(entry) || !existsSync(tickPin)) {
  process.stderr.write('keygate: not built yet; run npm run build\n');
  process.exit(1);
}
// First, before the modules' start-up garbage: see dist/runtime/tick-object-map.js.
const { pinTickObjectMap } = await import(tickPin.href);
pinTickObjectMap();
const { main } = await import(entry.href);
await main(process.argv.slice(2));
