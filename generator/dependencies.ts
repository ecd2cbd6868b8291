/**
 * The generator's CommonJS dependencies, loaded with `require`.
 *
 * `npm run generate` runs under tsx, whose ESM loader hooks run on a separate thread. Importing a
 * CommonJS package from ESM sends every `require` inside it through those hooks and makes Node scan
 * its source for export names; for these packages that was about 0.45 s of CPU per run (yaml alone
 * loads some 80 files), half of the generator's start-up. Loading them with `require` costs the
 * same as in plain Node. Types still come from the packages (`import type` elsewhere is unchanged).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const tsMorph: typeof import("ts-morph") = require("ts-morph");
export const yaml: typeof import("yaml") = require("yaml");
export const jsonSchemaToTypescript: typeof import("json-schema-to-typescript") =
  require("json-schema-to-typescript");
export const diff: typeof import("diff") = require("diff");
export const { Ajv2020 }: typeof import("ajv/dist/2020.js") = require("ajv/dist/2020.js");
/** ajv-formats' plugin (its `module.exports` also carries it as `default`). */
export const addFormats = (require("ajv-formats") as typeof import("ajv-formats").default).default;
