/**
 * The generator's CommonJS dependencies, loaded with `require`.
 *
 * Importing a CommonJS package from ESM under a loader hook (tsx, vitest) sends every `require` inside
 * it through those hooks and makes Node scan its source for export names; for these packages that was
 * about 0.45 s of CPU per run (yaml alone loads some 80 files). Loading them with `require` costs the
 * same as in plain Node. Types still come from the packages (`import type` elsewhere is unchanged).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let tsMorph: typeof import("ts-morph") | undefined;

/**
 * ts-morph, loaded on first use: its TypeScript compiler takes about a second to load, and a run needs
 * it only for declarations outside the shapes `indentDeclarations` knows.
 */
export function loadTsMorph(): typeof import("ts-morph") {
  tsMorph ??= require("ts-morph") as typeof import("ts-morph");
  return tsMorph;
}

/** json-schema-to-typescript, loaded on first use (a run that stops at a bad spec never needs it). */
export function loadJsonSchemaToTypescript(): typeof import("json-schema-to-typescript") {
  return require("json-schema-to-typescript") as typeof import("json-schema-to-typescript");
}

/** jsdiff, loaded when a drift check finds a stale file. */
export function loadDiff(): typeof import("diff") {
  return require("diff") as typeof import("diff");
}

/**
 * ajv's JSON Schema 2020-12 class and ajv-formats' plugin, loaded on first use: a run whose spec
 * validator comes from the cache (see generator/validate.ts) needs them only to explain a bad spec.
 */
export function loadAjv(): {
  Ajv2020: typeof import("ajv/dist/2020.js").Ajv2020;
  addFormats: typeof import("ajv-formats").default;
} {
  return {
    Ajv2020: (require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).Ajv2020,
    // ajv-formats' `module.exports` also carries the plugin as `default`.
    addFormats: (require("ajv-formats") as typeof import("ajv-formats").default).default,
  };
}

/** ajv's standalone code generator (loaded when a validator's code is to be kept). */
export function loadStandaloneCode(): typeof import("ajv/dist/standalone/index.js").default {
  return (require("ajv/dist/standalone/index.js") as typeof import("ajv/dist/standalone/index.js")).default;
}

/** The version of an installed package. */
export function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** Loads a CommonJS file (the generator's own cached code). */
export function requireFile(file: string): unknown {
  return require(file);
}
