/**
 * `bedrock-forge sync --write`: each model Bedrock serves that the catalog lacks is scaffolded into the family
 * its provider and modalities point to (a copy of that family's closest model, as `scaffold` makes it, with the
 * name, modalities, Region, profiles and lifecycle Bedrock reported), marked unverified; then the catalog is
 * regenerated once. Loaded only for --write: it needs the generator, which only a checkout of the repository has.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import { describeProblems, generate, repositoryRoot, writeOutput } from "../generator/generate.js";
import { schemaPath } from "../generator/validate.js";
import type { CatalogEntry } from "../runtime/descriptor.js";
import { displayNameFor, readSpecs, type SpecFile } from "./commands/scaffold.js";
import { chooseFamily, type MissingModel, type SyncReport, toCatalogModalities } from "./sync-compare.js";
import { addModelCopy, type FieldValue, parseSpecText, scalarText, setModelFields } from "./yaml-edit.js";

export interface WrittenModel {
  readonly id: string;
  readonly family: string;
  readonly like: string;
  /** The spec file, relative to the working directory. */
  readonly file: string;
}

export interface WriteOutcome {
  readonly written: readonly WrittenModel[];
  readonly notWritten: readonly { readonly id: string; readonly reason: string }[];
  /** Files regenerated (0 when nothing was written). */
  readonly generatedFiles: number;
  /** Set when the specs did not validate with the new models: every spec was put back as it was. */
  readonly problems?: string;
}

export interface WriteOptions {
  readonly report: SyncReport;
  /** The catalog the report was made against (it decides the families). */
  readonly entries: readonly CatalogEntry[];
  readonly specsDir: string;
  readonly outDir: string;
  readonly today: string;
  readonly cwd: string;
}

/** The profile prefixes the spec schema accepts (its `ProfilePrefix` enum). */
function readSchemaPrefixes(): readonly string[] {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as {
    $defs?: { ProfilePrefix?: { enum?: string[] } };
  };
  return schema.$defs?.ProfilePrefix?.enum ?? [];
}

/** Every model of a spec by id, as plain data (to check an edit changed no other model). */
function modelValues(text: string): Map<string, unknown> {
  const data = parseSpecText(text).document.toJS() as { models?: { id?: string }[] };
  return new Map((data.models ?? []).map((model) => [String(model.id), model]));
}

/**
 * A value as one line of YAML flow text in the specs' own style (what Biome's formatter keeps):
 * `[us-east-1, us-west-2]`, `{ input_per_mtok: 3, overrides: [{ profile: global, input_per_mtok: 2.7 }] }`.
 */
export function toFlowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toFlowText).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value).map(([key, member]) => `${scalarText(key)}: ${toFlowText(member)}`);
    return members.length > 0 ? `{ ${members.join(", ")} }` : "{}";
  }
  return typeof value === "string" ? scalarText(value) : String(value);
}

interface PriceOverride {
  readonly profile?: string;
  readonly region?: string;
}

/**
 * The fields Bedrock's lists decide for a new entry, each with where it comes from; and the copied price,
 * rewritten as a block marked unverified, keeping only the overrides of the Region and profiles it has.
 */
function fieldsFor(
  model: MissingModel,
  like: CatalogEntry,
  likePrice: { overrides?: PriceOverride[] } | undefined,
  region: string,
  knownPrefixes: readonly string[],
): Record<string, FieldValue | undefined> {
  const modalities: string[] = toCatalogModalities(model.inputModalities);
  // ListFoundationModels has no DOCUMENT modality; a copy of a model that reads documents keeps it.
  const keepsDocument = like.inputModalities.includes("document") && !modalities.includes("document");
  if (keepsDocument) modalities.push("document");
  const prefixes = model.profiles.filter((prefix) => knownPrefixes.includes(prefix));
  const unknown = model.profiles.filter((prefix) => !knownPrefixes.includes(prefix));
  const onDemand = model.inferenceTypes.includes("ON_DEMAND");
  const deprecation = {
    ...(model.legacySince ? { legacy_since: model.legacySince } : {}),
    ...(model.endOfLife ? { end_of_life: model.endOfLife } : {}),
  };
  let price: FieldValue | undefined;
  if (likePrice) {
    const overrides = (likePrice.overrides ?? []).filter(
      (override) =>
        (override.profile === undefined || prefixes.includes(override.profile)) &&
        (override.region === undefined || override.region === region),
    );
    const { overrides: _dropped, ...rest } = likePrice;
    price = {
      text: stringify(overrides.length > 0 ? { ...rest, overrides } : rest, { indent: 2, lineWidth: 0 }),
      block: true,
      comment: `unverified: ${like.id}'s price`,
    };
  }
  return {
    input_modalities: {
      text: toFlowText(modalities),
      comment: `ListFoundationModels (${region})${keepsDocument ? `; document as ${like.id}` : ""}`,
    },
    regions: {
      text: toFlowText([region]),
      comment: "unverified: the one Region sync read; check the others",
    },
    profiles:
      prefixes.length > 0
        ? {
            text: toFlowText(prefixes),
            comment: `ListInferenceProfiles (${region})${unknown.length > 0 ? `; the schema lacks ${unknown.join(", ")}` : ""}`,
          }
        : undefined,
    profile_only: onDemand
      ? undefined
      : { text: "true", comment: `ListFoundationModels (${region}): ${model.inferenceTypes.join(", ")}` },
    deprecated:
      model.status === "LEGACY"
        ? { text: toFlowText(deprecation), comment: `ListFoundationModels (${region}): LEGACY` }
        : undefined,
    price,
  };
}

/** Scaffolds the report's missing models into the specs folder and regenerates; see the module comment. */
export async function writeMissingModels(options: WriteOptions): Promise<WriteOutcome> {
  const { report, entries, specsDir, outDir, today, cwd } = options;
  const region = report.region;
  const specs = await readSpecs(specsDir);
  const knownPrefixes = readSchemaPrefixes();
  const catalog = new Map(entries.map((entry) => [entry.id, entry]));
  const texts = new Map<string, string>();
  const originals = new Map<string, string>();
  const written: WrittenModel[] = [];
  const notWritten: { id: string; reason: string }[] = [];
  const relative = (file: string) => path.relative(cwd, file) || file;

  for (const model of report.missing) {
    const choice = chooseFamily(model, entries, today);
    if (choice.family === undefined) {
      notWritten.push({ id: model.id, reason: choice.reason });
      continue;
    }
    const holder = specs.find((spec) => spec.modelIds.includes(model.id));
    if (holder) {
      notWritten.push({
        id: model.id,
        reason: `already in ${relative(holder.file)} (regenerate the catalog)`,
      });
      continue;
    }
    const spec: SpecFile | undefined = specs.find((candidate) => candidate.family === choice.family);
    if (!spec?.modelIds.includes(choice.like)) {
      notWritten.push({
        id: model.id,
        reason: `family ${choice.family} (with ${choice.like}) is not in ${relative(specsDir)}`,
      });
      continue;
    }
    if (
      !model.inferenceTypes.includes("ON_DEMAND") &&
      !model.profiles.some((p) => knownPrefixes.includes(p))
    ) {
      notWritten.push({
        id: model.id,
        reason: `Bedrock serves it only through inference profiles, and lists none of a prefix the spec schema knows in ${region}`,
      });
      continue;
    }
    const before = texts.get(spec.file) ?? spec.text;
    const like = catalog.get(choice.like)!;
    try {
      const parsed = parseSpecText(before);
      const copied = addModelCopy({
        target: parsed,
        source: parsed,
        like: choice.like,
        id: model.id,
        name: model.name ?? displayNameFor(model.id),
        comment: [
          `unverified: added by \`bedrock-forge sync --write\` from Bedrock's lists for ${region} on ${today}, as a`,
          `copy of ${choice.like}: context_window, max_output_tokens, capabilities, params and price are its`,
          "values. Check each against AWS's documentation for this model and cite it in the spec's sources.",
        ].join("\n"),
      });
      const previous = modelValues(before);
      const likePrice = (previous.get(choice.like) as { price?: { overrides?: PriceOverride[] } }).price;
      const after = setModelFields(
        parseSpecText(copied),
        model.id,
        fieldsFor(model, like, likePrice, region, knownPrefixes),
      );
      const next = modelValues(after);
      next.delete(model.id);
      if (!isDeepStrictEqual(previous, next)) {
        notWritten.push({
          id: model.id,
          reason: `copying ${choice.like} would change other models of ${relative(spec.file)} (a YAML anchor in its entry); scaffold it by hand`,
        });
        continue;
      }
      if (!originals.has(spec.file)) originals.set(spec.file, spec.text);
      texts.set(spec.file, after);
      written.push({ id: model.id, family: choice.family, like: choice.like, file: relative(spec.file) });
    } catch (error) {
      notWritten.push({ id: model.id, reason: `${relative(spec.file)}: ${(error as Error).message}` });
    }
  }
  if (written.length === 0) return { written, notWritten, generatedFiles: 0 };

  const restore = async () => {
    for (const [file, text] of originals) await writeFile(file, text);
  };
  for (const [file, text] of texts) await writeFile(file, text);
  try {
    const result = await generate({ specsDir, displayRoot: repositoryRoot });
    if (!result.ok) {
      await restore();
      return { written: [], notWritten, generatedFiles: 0, problems: describeProblems(result.problems) };
    }
    await writeOutput(outDir, result.files);
    return { written, notWritten, generatedFiles: result.files.size };
  } catch (error) {
    // generated/ is swapped in whole or not at all; the specs go back as they were too.
    await restore();
    throw error;
  }
}
