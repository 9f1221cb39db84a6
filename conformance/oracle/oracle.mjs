#!/usr/bin/env node
// Grafana conformance oracle: reads JSON-lines cases on stdin, writes one JSON result line per case.
// Run:  TZ=UTC node oracle.mjs < cases.jsonl
// Non-finite numbers are encoded as {"$num":"NaN"|"Infinity"|"-Infinity"} (both directions),
// undefined: object keys are dropped (plain JSON); in arrays -> null. Input {"$undef":true} -> undefined.
process.env.TZ ??= 'UTC'; // before anything touches Date; callers should set TZ explicitly anyway
// node 20 has no navigator; @grafana/data reads navigator.languages once (dateTimeAsLocal* formats)
const LANGS = (process.env.ORACLE_LANGUAGES ?? 'en-US').split(',');
globalThis.navigator ??= { language: LANGS[0], languages: LANGS };

import { register, createRequire } from 'node:module';
import readline from 'node:readline';
register('./hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);

const gd = require('@grafana/data'); // CJS build (ESM build breaks on moment-timezone named import)
globalThis.window ??= {}; // transformDataFrame reads window.__grafanaSceneContext; define AFTER require
const moment = require('moment'); // same instance @grafana/data uses (npm ls moment: deduped)
const { lastValueFrom } = require('rxjs');

const SC = './node_modules/@grafana/scenes/dist/esm/';
const { formatRegistry } = await import(SC + 'variables/interpolation/formatRegistry.js');
const { sceneInterpolator } = await import(SC + 'variables/interpolation/sceneInterpolator.js');
const { SceneTimeRange } = await import(SC + 'core/SceneTimeRange.js');
const { SceneObjectBase } = await import(SC + 'core/SceneObjectBase.js');
const prom = await import('./node_modules/@grafana/prometheus/dist/esm/escaping.mjs');
const runtimeStub = await import('@grafana/runtime'); // -> stubs/grafana-runtime.mjs via hooks.mjs

// Transformers: @grafana/data ships them but leaves the registry empty (Grafana's app calls setInit).
// (seriesToColumnsTransformer and joinByFieldTransformer share id 'joinByField' -> dedupe by id.)
gd.standardTransformersRegistry.setInit(() => [
  ...new Map(Object.values(gd.standardTransformers).map((t) => [t.id, { id: t.id, aliasIds: t.aliasIds, name: t.name, transformation: () => t }])).values()]);

const theme = gd.createTheme(); // dark theme, like Grafana default
class Ctx extends SceneObjectBase {}

// ---------- JSON helpers ----------
const enc = (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v); // undefined keys dropped
const dec = (v) => {
  if (Array.isArray(v)) return v.map(dec);
  if (v && typeof v === 'object') {
    if ('$num' in v) return Number(v.$num);
    if (v.$undef) return undefined;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)]));
  }
  return v;
};
process.stdout.on('error', () => process.exit(0));
const out = (o) => process.stdout.write(JSON.stringify(o, enc) + '\n');
const undefToNull = (v) => (v === undefined ? null : v);

// ---------- per-case context (locale / week start / now are process-global in Grafana) ----------
function withEnv(c, fn) {
  const realNow = moment.now;
  gd.setLocale(c.locale ?? 'en');
  gd.setWeekStart(c.weekStart ?? undefined); // 'monday' | 'sunday' | 'saturday' | undefined => locale default
  if (c.now != null) moment.now = () => c.now;
  try { return fn(); } finally { moment.now = realNow; gd.setLocale('en'); gd.setWeekStart(undefined); }
}
const dt = (d) => (d && d.isValid && d.isValid() ? { ms: d.valueOf(), iso: d.toISOString(), fmt: d.format() } : null);

function mkField(f) {
  const values = f.values ?? [];
  const type = f.type ?? (values.some((v) => typeof v === 'string') ? 'string' : values.some((v) => typeof v === 'boolean') ? 'boolean' : 'number');
  return { name: f.name ?? 'Value', type, values, config: f.config ?? {}, labels: f.labels, state: f.state };
}
const mkFrame = (fr) => ({ name: fr.name, refId: fr.refId, meta: fr.meta, fields: fr.fields.map(mkField), length: fr.fields[0]?.values.length ?? 0 });
const frameOut = (fr) => ({
  name: fr.name, refId: fr.refId, length: fr.length,
  fields: fr.fields.map((f) => ({ name: f.name, type: f.type, labels: f.labels, config: f.config, values: [...f.values].map(undefToNull),
    displayName: gd.getFieldDisplayName(f, fr) })),
});

// ---------- handlers ----------
const H = {
  units: () => ({ categories: gd.getValueFormats().map((c) => ({ name: c.text, units: c.submenu.map((s) => ({ id: s.value, name: s.text })) })) }),

  unit: (c) => withEnv(c, () => {
    const fmt = gd.getValueFormat(c.id);
    const v = fmt(c.value, c.decimals ?? undefined, c.scaledDecimals ?? undefined, c.timeZone, c.showMs);
    return { ...v, str: gd.formattedValueToString(v) };
  }),

  reducer: (c) => {
    const field = mkField({ values: c.values, type: c.fieldType });
    const ids = c.ids ?? [c.id];
    const calcs = gd.reduceField({ field, reducers: ids });
    return { calcs: Object.fromEntries(ids.map((id) => [id, undefToNull(calcs[id])])), all: calcs };
  },
  reducers: () => ({ ids: gd.fieldReducers.list().map((r) => ({ id: r.id, name: r.name, aliasIds: r.aliasIds, standard: r.standard, emptyInputResult: r.emptyInputResult })) }),

  datemath: (c) => withEnv(c, () => {
    if (c.from !== undefined || c.to !== undefined) {
      const r = gd.rangeUtil.convertRawToRange({ from: c.from, to: c.to }, c.timezone, c.fiscalYearStartMonth);
      return { from: dt(r.from), to: dt(r.to) };
    }
    const d = gd.dateMath.toDateTime(c.text, { roundUp: !!c.roundUp, timezone: c.timezone, fiscalYearStartMonth: c.fiscalYearStartMonth, now: c.now });
    return { result: dt(d), isValid: gd.dateMath.isValid(c.text) };
  }),

  rangeutil: (c) => withEnv(c, () => {
    let args = c.args ?? [];
    if (c.fn === 'calculateInterval') args = [{ from: gd.dateTime(args[0].from), to: gd.dateTime(args[0].to), raw: args[0] }, ...args.slice(1)];
    return { result: gd.rangeUtil[c.fn](...args) };
  }),

  // The display processor of one field, its config as a dashboard stores it: loading sets the
  // base threshold step to -Infinity (JSON keeps null) and validateFieldConfig drops a colour
  // without a mode, colours thresholds by them, and swaps a min above the max.
  display: (c) => withEnv(c, () => {
    const config = structuredClone(c.config ?? {});
    if (config.thresholds?.steps?.length) config.thresholds.steps[0].value = -Infinity;
    gd.validateFieldConfig(config);
    const field = mkField({ name: c.name ?? 'Value', type: c.fieldType ?? (typeof c.value === 'string' ? 'string' : 'number'), values: c.values ?? [c.value], config, state: { seriesIndex: c.seriesIndex ?? 0 } });
    const proc = gd.getDisplayProcessor({ field, theme, timeZone: c.timeZone ?? 'utc' });
    const r = proc(c.value, c.adjacentDecimals);
    return { ...r, str: gd.formattedValueToString(r), threshold: undefined };
  }),

  transform: async (c) => {
    const frames = c.frames.map(mkFrame);
    const res = await lastValueFrom(gd.transformDataFrame(c.transformations, frames));
    return { frames: res.map(frameOut) };
  },

  format: (c) => {
    const variable = { state: { name: c.name ?? 'var', isMulti: Array.isArray(c.value) }, getValueText: c.text != null ? () => c.text : undefined };
    return { result: formatRegistry.get(c.format).formatter(c.value, c.args ?? [], variable, c.fieldPath) };
  },
  formats: () => ({ ids: formatRegistry.list().map((f) => f.id) }),

  // Full Scenes interpolation: ${__from:date:YYYY-MM-DD}, ${v:csv}, ${__timezone} ... against a SceneTimeRange
  interpolate: (c) => withEnv(c, () => {
    const realDateNow = Date.now;
    if (c.now != null) Date.now = () => c.now; // evaluateTimeRange() uses Date.now()
    try {
      const $timeRange = new SceneTimeRange({ from: c.from ?? 'now-6h', to: c.to ?? 'now', timeZone: c.timeZone ?? 'utc', weekStart: c.weekStart, fiscalYearStartMonth: c.fiscalYearStartMonth });
      const ctx = new Ctx({ $timeRange });
      const scopedVars = Object.fromEntries(Object.entries(c.vars ?? {}).map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? v : { text: v, value: v }]));
      return { result: sceneInterpolator(ctx, c.target, scopedVars, c.defaultFormat) };
    } finally { Date.now = realDateNow; }
  }),

  promescape: (c) => {
    runtimeStub.config.featureToggles.prometheusSpecialCharsInLabelValues = !!c.specialChars;
    const fn = c.fn ?? 'interpolateQueryExpr';
    if (fn === 'interpolateQueryExpr') return { result: prom.interpolateQueryExpr(c.value, { multi: !!c.multi, includeAll: !!c.includeAll, name: 'v' }) };
    return { result: prom[fn](c.value) };
  },
};

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let c;
  try {
    c = dec(JSON.parse(line));
    const h = H[c.cat];
    if (!h) throw new Error(`unknown cat ${c.cat}`);
    out({ ok: true, ...(c.tag !== undefined ? { tag: c.tag } : {}), ...(await h(c)) });
  } catch (e) {
    out({ ok: false, ...(c?.tag !== undefined ? { tag: c.tag } : {}), error: String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ') });
  }
}
