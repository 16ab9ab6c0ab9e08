// Loaded with `node --import` by a CLI test: any module that resolves to a TypeScript file or to
// the tsx loader makes the process fail, proving bin/keygate.js runs compiled JavaScript only.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// The same file is the hooks module, evaluated again on the loader thread.
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/\.[cm]?tsx?$/.test(resolved.url) || /[\\/]node_modules[\\/]tsx[\\/]/.test(resolved.url)) {
    throw new Error(`TypeScript loaded at run time: ${resolved.url}`);
  }
  return resolved;
}
