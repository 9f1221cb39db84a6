// Node ESM loader hooks (registered from oracle.mjs via module.register).
// Grafana's ESM builds use named imports from CommonJS packages
// (`import { tz } from 'moment-timezone'`, `import { isArray } from 'lodash'`)
// that only work under a bundler. We route every CommonJS package imported from
// ESM through a tiny shim that require()s it (same CJS instance as the main
// script's require) and re-exports all its keys as named exports.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SHIM = 'cjs-shim:';
const IDENT = /^[A-Za-z_$][\w$]*$/;

// format is null for ambiguous .js (no "type" field): Scenes' dist/esm/*.js are ESM
// (node's syntax detection loads them fine); anything else ambiguous is CJS (lodash).
const isCjs = (r) => r.format === 'commonjs' || r.url.endsWith('.cjs') ||
  (r.format == null && r.url.endsWith('.js') && !r.url.includes('/esm/'));

export async function resolve(specifier, context, next) {
  if (specifier.startsWith(SHIM)) return { url: specifier, shortCircuit: true };
  if (specifier === '@grafana/runtime') {
    return { url: new URL('./stubs/grafana-runtime.mjs', import.meta.url).href, format: 'module', shortCircuit: true };
  }
  // Always use @grafana/data's CJS build (single instance shared with require()).
  const ctx = specifier === '@grafana/data'
    ? { ...context, conditions: ['require', 'node', 'default'] } : context;
  const r = await next(specifier, ctx);
  const fromEsm = context.parentURL && !context.parentURL.startsWith(SHIM);
  if (fromEsm && r.url.startsWith('file:') && isCjs(r)) {
    return { url: SHIM + r.url, shortCircuit: true };
  }
  return r;
}

export async function load(url, context, next) {
  if (!url.startsWith(SHIM)) return next(url, context);
  const file = fileURLToPath(url.slice(SHIM.length));
  globalThis.navigator ??= { language: 'en-US', languages: ['en-US'] };
  const names = Object.keys(createRequire(file)(file)).filter((k) => IDENT.test(k) && k !== 'default');
  const source = `import { createRequire } from 'node:module';
const m = createRequire(${JSON.stringify(file)})(${JSON.stringify(file)});
export default m;
export const { ${names.join(', ')} } = m;`;
  return { format: 'module', source, shortCircuit: true };
}
