import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv2020 as Ajv, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import type { FamilySpec, ParamRule, ParamTable, PromptTemplate } from "../generated/spec-types.js";
import { loadAjv, loadStandaloneCode, packageVersion, requireFile } from "./dependencies.js";
import {
  converseRequestSchema,
  openAIParams,
  type ParamKind,
  paramKindOf,
  runtimeImageEditParams,
  runtimeRerankParams,
  templatePlaceholders,
} from "./known-params.js";
import { joinPointer, type LoadedSpec, pointerSegments, problemAt, type SpecProblem } from "./load.js";

type JsonSchema = Record<string, unknown>;

/** The spec format's JSON Schema, from the sources (`generator/`) or the build (`dist/generator/`). */
export const schemaPath = new URL(
  import.meta.url.includes("/dist/generator/")
    ? "../../specs/schema/family.schema.json"
    : "../specs/schema/family.schema.json",
  import.meta.url,
);

interface CompiledSchema {
  readonly root: JsonSchema;
  readonly validate: ValidateFunction;
  /** Validates parts of the schema (a lone oneOf branch is not a strict schema on its own); made on first use. */
  lenient?: Ajv;
}

let compiled: CompiledSchema | undefined;

function createAjv(strict: boolean, code: { source?: boolean } = {}): Ajv {
  // `verbose` keeps each error's data and schema, which explainCombinator re-validates.
  const { Ajv2020, addFormats } = loadAjv();
  const ajv = new Ajv2020({
    allErrors: true,
    strict,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
    code,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: "tsType", schemaType: "string" });
  return ajv;
}

function compileSchema(): CompiledSchema {
  if (compiled) return compiled;
  const text = readFileSync(schemaPath, "utf8");
  const root = JSON.parse(text) as JsonSchema;
  compiled = { root, validate: loadSpecValidator(root, text, validatorCacheDir) };
  return compiled;
}

/** Where the spec validator's compiled code is kept between runs. */
const validatorCacheDir = fileURLToPath(new URL("../../node_modules/.cache/bedrock-forge/", schemaPath));

/**
 * The spec schema's validator. ajv takes about 0.3 s to compile it, so its code (ajv's standalone
 * code, which `require`s ajv's and ajv-formats' runtime) is kept in `node_modules/.cache`, named by a
 * hash of the schema, of ajv's and ajv-formats' versions and of how `createAjv` sets ajv up; a later run
 * loads it instead. The cache is only a shortcut: when it cannot be read or written, the schema is
 * compiled as before.
 */
export function loadSpecValidator(root: JsonSchema, schemaText: string, cacheDir: string): ValidateFunction {
  const key = createHash("sha256")
    .update(schemaText)
    .update(`\0${packageVersion("ajv")}\0${packageVersion("ajv-formats")}\0${createAjv.toString()}`)
    .digest("hex")
    .slice(0, 32);
  const file = path.join(cacheDir, `spec-validator-${key}.cjs`);
  try {
    const loaded = requireFile(file);
    if (typeof loaded === "function") return loaded as ValidateFunction;
  } catch {
    // Not built yet (or unreadable): compile below.
  }
  const ajv = createAjv(true, { source: true });
  const validate = ajv.compile(root);
  keepValidatorCode(file, loadStandaloneCode()(ajv, validate));
  return validate;
}

/** Writes a validator's code whole (a rename) for the next run; a failure only means compiling again then. */
function keepValidatorCode(file: string, code: string): void {
  const staging = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(staging, code);
    renameSync(staging, file);
  } catch {
    try {
      rmSync(staging, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}

/** Errors of `data` against a part of the spec schema (its `$ref`s resolve against the whole schema's `$defs`). */
function validatePart(part: JsonSchema, data: unknown): ErrorObject[] {
  const schema = compileSchema();
  schema.lenient ??= createAjv(false);
  const { $id: _id, $schema: _schema, ...rest } = part;
  const validate = schema.lenient.compile({ ...rest, $defs: schema.root.$defs });
  validate(data);
  return [...(validate.errors ?? [])];
}

const isCombinator = (error: ErrorObject) => error.keyword === "oneOf" || error.keyword === "anyOf";
const isInside = (error: ErrorObject, at: string) =>
  error.instancePath === at || error.instancePath.startsWith(`${at}/`);
const depthOf = (error: ErrorObject) => error.instancePath.split("/").length;

/**
 * ajv reports the errors of every branch of a failed `oneOf`/`anyOf`, so one mistake reads as
 * several ("does not match the pattern" and "must be object"). Replaces them, outermost first,
 * by the errors of the branch the author most likely meant.
 */
function focusOnIntendedBranch(errors: readonly ErrorObject[]): ErrorObject[] {
  let current = [...errors];
  for (;;) {
    const combinator = current.filter(isCombinator).sort((a, b) => depthOf(a) - depthOf(b))[0];
    if (!combinator) return current;
    const at = combinator.instancePath;
    const replacement = explainCombinator(combinator).map((error) => ({
      ...error,
      instancePath: `${at}${error.instancePath}`,
    }));
    const first = current.findIndex((error) => isInside(error, at));
    const others = current.filter((error) => !isInside(error, at));
    current = [...others.slice(0, first), ...replacement, ...others.slice(first)];
  }
}

/**
 * The errors of a failed combinator's value against its schema with the combinator resolved:
 * the branch with the fewest errors among those of the right type, or one summary when no branch
 * is close (wrong type, or one of several required properties missing).
 */
function explainCombinator(combinator: ErrorObject): ErrorObject[] {
  const keyword = combinator.keyword as "oneOf" | "anyOf";
  const branches = combinator.schema as JsonSchema[];
  const { [keyword]: _branches, ...siblings } = combinator.parentSchema as JsonSchema;
  const data = combinator.data;
  const summary = (message: string): ErrorObject[] => [
    { instancePath: "", schemaPath: combinator.schemaPath, keyword: "summary", params: {}, message },
  ];
  const outcomes = branches.map((branch, index) => ({ index, errors: validatePart(branch, data) }));
  const typeErrorsAtRoot = (errors: readonly ErrorObject[]) =>
    errors.filter((error) => error.instancePath === "" && error.keyword === "type");
  const candidates = outcomes.filter(({ errors }) => typeErrorsAtRoot(errors).length === 0);
  const rest = () => validatePart(siblings, data);
  if (candidates.length === 0) {
    const types = outcomes.flatMap(({ errors }) =>
      typeErrorsAtRoot(errors).flatMap((error) => error.params.type),
    );
    return [...summary(`must be ${[...new Set(types)].join(" or ")}`), ...rest()];
  }
  const onlyRequired = candidates.every(
    ({ errors }) =>
      errors.length > 0 && errors.every((error) => error.keyword === "required" && error.instancePath === ""),
  );
  if (candidates.length > 1 && onlyRequired) {
    const names = candidates.flatMap(({ errors }) =>
      errors.map((error) => JSON.stringify(error.params.missingProperty)),
    );
    return [...summary(`needs one of the properties ${names.join(", ")}`), ...rest()];
  }
  const best = [...candidates].sort((a, b) => a.errors.length - b.errors.length)[0]!;
  if (best.errors.length === 0) return [...summary("matches more than one of the allowed shapes"), ...rest()];
  const allOf = [...((siblings.allOf as JsonSchema[] | undefined) ?? []), branches[best.index]!];
  return validatePart({ ...siblings, allOf }, data);
}

/** Turns ajv's errors into located problems, reporting only the intended branch of a failed `oneOf`. */
function describeSchemaErrors(spec: LoadedSpec, errors: readonly ErrorObject[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  for (const error of focusOnIntendedBranch(errors)) {
    if (error.keyword === "if") continue;
    let pointer = error.instancePath;
    let message = error.message ?? "is invalid";
    if (error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") {
      const extra = error.params as { additionalProperty?: string; unevaluatedProperty?: string };
      const name = extra.additionalProperty ?? extra.unevaluatedProperty ?? "?";
      pointer = `${pointer}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      message = `unknown property "${name}"`;
    } else if (error.keyword === "required") {
      message = `missing required property "${(error.params as { missingProperty: string }).missingProperty}"`;
    } else if (error.keyword === "enum") {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((value) => JSON.stringify(value)).join(", ")}`;
    } else if (error.keyword === "pattern") {
      message = `does not match the pattern ${(error.params as { pattern: string }).pattern}`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problemAt(spec, pointer, message));
  }
  return problems;
}

/** Checks every spec against the JSON Schema, then the rules a schema cannot say. Returns all problems. */
export function validateSpecs(specs: readonly LoadedSpec[]): SpecProblem[] {
  const validate = compileSchema();
  const problems: SpecProblem[] = [];
  const valid: { spec: LoadedSpec; family: FamilySpec }[] = [];
  for (const spec of specs) {
    if (!validate.validate(spec.data)) {
      problems.push(...describeSchemaErrors(spec, validate.validate.errors ?? []));
      continue;
    }
    valid.push({ spec, family: spec.data as FamilySpec });
  }
  problems.push(...checkAcrossSpecs(valid));
  for (const { spec, family } of valid) problems.push(...checkFamily(spec, family));
  return problems;
}

function checkAcrossSpecs(specs: readonly { spec: LoadedSpec; family: FamilySpec }[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const modelOwners = new Map<string, string>();
  const familyOwners = new Map<string, string>();
  const routeOwners = new Map<string, string>();
  for (const { spec, family } of specs) {
    family.imported?.routes.forEach((route, index) => {
      const where = routeOwners.get(route);
      if (where)
        problems.push(
          problemAt(
            spec,
            `/imported/routes/${index}`,
            `imported-model route "${route}" is also declared in ${where}`,
          ),
        );
      else routeOwners.set(route, spec.file);
    });
    const owner = familyOwners.get(family.family);
    if (owner)
      problems.push(problemAt(spec, "/family", `family "${family.family}" is also defined in ${owner}`));
    else familyOwners.set(family.family, spec.file);
    family.models.forEach((model, index) => {
      const where = modelOwners.get(model.id);
      if (where) {
        problems.push(
          problemAt(spec, `/models/${index}/id`, `model id "${model.id}" is also defined in ${where}`),
        );
      } else {
        modelOwners.set(model.id, `${spec.file} (/models/${index})`);
      }
    });
  }
  return problems;
}

function checkFamily(spec: LoadedSpec, family: FamilySpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report = (pointer: string, message: string) => problems.push(problemAt(spec, pointer, message));

  if (family.family !== spec.name) {
    report("/family", `family "${family.family}" must match the file name "${spec.name}.yaml"`);
  }
  checkSections(family, report);
  checkCodecVariants(family, report);
  checkParamTables(family, report);
  checkRequiredParams(family, report);
  checkPointers(family, report);
  if (family.chat?.request.template)
    checkTemplate(family.chat.request.template, "/chat/request/template", report);
  checkModels(family, report);
  checkImported(family, report);
  return problems;
}

/** A family of imported models is a chat format called over InvokeModel; any other family lists its models. */
function checkImported(family: FamilySpec, report: Report): void {
  const imported = family.imported;
  if (!imported) {
    if (family.models.length === 0)
      report(
        "/models",
        "a family needs at least one model, unless it is an imported-model format (`imported`)",
      );
    return;
  }
  if (!family.operations.includes("chat") || !family.routes.includes("invoke") || !family.chat) {
    report(
      "/imported",
      "imported models are called through InvokeModel chat: the family needs the chat operation, the invoke route and a `chat` mapping",
    );
  }
  imported.routes.forEach((route, index) => {
    if (route === "converse" || route === "invoke")
      report(
        `/imported/routes/${index}`,
        `"${route}/" is the prefix that forces a Bedrock API, not a format`,
      );
  });
}

type Report = (pointer: string, message: string) => void;

function checkSections(family: FamilySpec, report: Report): void {
  const has = (operation: string) => family.operations.includes(operation as never);
  const invoke = family.routes.includes("invoke");
  if ((has("chat") || has("chat-stream")) && invoke && !family.chat) {
    report("/operations", "the family offers chat over invoke but has no `chat` mapping");
  }
  if (has("chat-stream") && invoke && family.chat && !family.chat.stream) {
    report("/chat", "the family offers chat-stream over invoke but `chat` has no `stream` mapping");
  }
  if (family.routes.includes("converse") && !family.converse) {
    report("/routes", "the family lists the converse route but has no `converse` mapping");
  }
  if (has("embeddings") && !family.embeddings)
    report("/operations", "embeddings is offered but there is no `embeddings` mapping");
  if (has("images") && !family.images)
    report("/operations", "images is offered but there is no `images` mapping");
  if (has("images-edit") && !family.images_edit)
    report("/operations", "images-edit is offered but there is no `images_edit` mapping");
  if (has("images-edit") && !invoke)
    report("/routes", "images-edit runs over InvokeModel: the family needs the invoke route");
  if (has("rerank") && !family.rerank)
    report("/operations", "rerank is offered but there is no `rerank` mapping");
  if (has("rerank") && !invoke)
    report("/routes", "rerank runs over InvokeModel: the family needs the invoke route");
  checkBidirectional(family, report);
  checkMantle(family, report);
  const request = family.chat?.request;
  if (request?.codec === "template" && (!request.prompt || !request.template)) {
    report("/chat/request", "the template codec needs `prompt` (where the prompt goes) and `template`");
  }
  if (request && request.codec !== "template" && !request.messages) {
    report("/chat/request", `the ${request.codec} codec needs \`messages\` (where the message list goes)`);
  }
  const stream = family.chat?.stream;
  if (stream?.codec === "flat" && !stream.text) report("/chat/stream", "the flat stream codec needs `text`");
  const response = family.chat?.response;
  if (response && !response.text && !response.content) {
    report("/chat/response", "a chat response needs `text` (flat) or `content` (codec)");
  }
}

/**
 * `speech-to-speech` runs over InvokeModelWithBidirectionalStream and nothing else runs over it: the operation
 * and the `bidirectional-stream` route come together, in a family of their own.
 */
function checkBidirectional(family: FamilySpec, report: Report): void {
  const speech = family.operations.includes("speech-to-speech");
  const bidirectional = family.routes.includes("bidirectional-stream");
  if (speech && !bidirectional) {
    report(
      "/routes",
      "speech-to-speech runs over InvokeModelWithBidirectionalStream: add the bidirectional-stream route",
    );
  }
  if (bidirectional && !speech) {
    report("/routes", "the bidirectional-stream route carries speech-to-speech only: add that operation");
  }
  if (speech && family.operations.length > 1) {
    report("/operations", "speech-to-speech models do nothing else on Bedrock: list that operation alone");
  }
  if (bidirectional && family.routes.length > 1) {
    report("/routes", "speech-to-speech models are served over InvokeModelWithBidirectionalStream alone");
  }
}

/**
 * The `mantle` route is OpenAI's Chat Completions on bedrock-mantle: it carries chat (and its stream) only, and
 * sends the caller's request as it is, so no Bedrock Runtime mapping is read for it.
 */
function checkMantle(family: FamilySpec, report: Report): void {
  if (!family.routes.includes("mantle")) return;
  const others = family.operations.filter((operation) => operation !== "chat" && operation !== "chat-stream");
  if (others.length > 0) {
    report(
      "/operations",
      `the mantle route carries chat and chat-stream only (bedrock-mantle's chat completions), not ${others.join(", ")}`,
    );
  }
}

/** The variants of the openai codec (content form, reasoning carriage) are read by that codec only. */
function checkCodecVariants(family: FamilySpec, report: Report): void {
  const codec = family.chat?.request.codec;
  if (family.chat?.request.content_form !== undefined && codec !== "openai") {
    report(
      "/chat/request/content_form",
      `content_form is read by the openai codec only (this spec uses ${codec})`,
    );
  }
  const response = family.chat?.response;
  const reasoning = response?.reasoning;
  const taggedFlatText = response?.text !== undefined && reasoning?.tags && !reasoning.field;
  if (reasoning !== undefined && codec !== "openai" && !taggedFlatText) {
    report(
      "/chat/response/reasoning",
      `reasoning is read by the openai codec, and its tags in flat answers (\`text\`) (this spec uses ${codec})`,
    );
  }
  if (reasoning?.opened_by_prompt && !reasoning.tags) {
    report("/chat/response/reasoning/opened_by_prompt", "opened_by_prompt needs `tags`");
  }
  for (const key of ["text_fallback", "text_markers"] as const) {
    if (response?.[key] !== undefined && response.text === undefined)
      report(`/chat/response/${key}`, `${key} is read with \`text\` (flat answers) only`);
  }
  if (reasoning?.tags && reasoning.tags.open === reasoning.tags.close) {
    report("/chat/response/reasoning/tags", "the opening and closing reasoning tags must differ");
  }
}

/** Why a required param could never be missing, or never be sent (undefined when it is consistent). */
function requiredConflict(rule: ParamRule): string | undefined {
  if (rule.default !== undefined) return "has a default, which fills it whenever a request omits it";
  if (rule.policy === "drop" || rule.policy === "reject")
    return `has the ${rule.policy} policy, so it is never sent`;
  return undefined;
}

/** A `required` param must be one a request can give and the body can carry. */
function checkRequiredParams(family: FamilySpec, report: Report): void {
  const tables: [ParamTable | undefined, string][] = [
    [family.chat?.request.params, "/chat/request/params"],
    [family.converse?.params, "/converse/params"],
    [family.embeddings?.request.params, "/embeddings/request/params"],
    [family.images?.request.params, "/images/request/params"],
    [family.images_edit?.request.params, "/images_edit/request/params"],
    [family.rerank?.request.params, "/rerank/request/params"],
  ];
  for (const [table, pointer] of tables) {
    for (const [name, rule] of Object.entries(table ?? {})) {
      const conflict = rule.required ? requiredConflict(rule) : undefined;
      if (conflict) report(`${pointer}/${name}/required`, `"${name}" is required but ${conflict}`);
    }
  }
  family.models.forEach((model, index) => {
    for (const [name, overlay] of Object.entries(model.params ?? {})) {
      for (const [table] of tables) {
        const merged = { ...table?.[name], ...overlay };
        const conflict = merged.required ? requiredConflict(merged) : undefined;
        if (conflict) {
          report(
            `/models/${index}/params/${name}/required`,
            `"${name}" is required for ${model.id} but ${conflict}`,
          );
          break;
        }
      }
    }
  });
}

/** A value a spreading rule can merge: an object of fields, or null (nothing written). */
function isSpreadable(value: unknown): boolean {
  return value === null || (typeof value === "object" && !Array.isArray(value));
}

function checkParamTables(family: FamilySpec, report: Report): void {
  const declared = new Set(Object.keys(family.params ?? {}));
  const check = (
    table: ParamTable | undefined,
    pointer: string,
    kinds: readonly ParamKind[],
    overlay = false,
  ) => {
    for (const [name, rule] of Object.entries(table ?? {})) {
      const known = kinds.some((kind) => openAIParams[kind].includes(name)) || declared.has(name);
      const at = `${pointer}/${name}`;
      // A drop rule may name a param the family does not take (LiteLLM's top_k on Llama's Converse, Anthropic's
      // output_config on Nova): it keeps the name out of bodies without typing it as the model's param.
      if (!known && !(rule.policy === "drop" && !overlay)) {
        report(
          at,
          `"${name}" is neither an OpenAI ${kinds.join("/")} param nor a provider param declared under /params`,
        );
      }
      if (rule.policy === "passthrough" && !declared.has(name)) {
        report(`${at}/policy`, `passthrough needs "${name}" declared under /params so it is typed`);
      }
      if (overlay && rule.to !== undefined) {
        report(
          `${at}/to`,
          "a model's param overlay may not move the param; change the family's rule instead",
        );
      }
      if (!overlay && rule.to === undefined && (rule.policy === undefined || rule.policy === "map")) {
        report(at, "a mapped param needs `to` (or a policy of passthrough, drop or reject)");
      }
      if (!overlay && rule.default_above !== undefined && typeof rule.default !== "number") {
        report(`${at}/default_above`, "default_above adds to a number `default`, which this rule lacks");
      }
      if (rule.spread && Object.values(rule.values ?? {}).some((value) => !isSpreadable(value))) {
        report(`${at}/values`, "a spreading rule maps every value to an object of fields (or null)");
      }
      if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
        report(`${at}/min`, `min ${rule.min} is greater than max ${rule.max}`);
      }
      if (kinds.includes("rerank") && runtimeRerankParams.includes(name)) {
        report(at, `"${name}" is answered by the runtime from the request; a rerank table may not name it`);
      }
      if (kinds.includes("images-edit") && runtimeImageEditParams.includes(name)) {
        report(
          at,
          `"${name}" is written by the runtime from the images_edit mapping (or answered by it); a param table may not name it`,
        );
      }
    }
  };
  const chatKinds = ["chat"] as const;
  check(family.chat?.request.params, "/chat/request/params", chatKinds);
  check(family.converse?.params, "/converse/params", chatKinds);
  check(family.embeddings?.request.params, "/embeddings/request/params", ["embeddings"]);
  check(family.images?.request.params, "/images/request/params", ["images"]);
  check(family.images_edit?.request.params, "/images_edit/request/params", ["images-edit"]);
  check(family.rerank?.request.params, "/rerank/request/params", ["rerank"]);
  checkAnyOfParams(family, report);
  const kinds = [...new Set(family.operations.flatMap((operation) => paramKindOf(operation) ?? []))];
  family.models.forEach((model, index) => check(model.params, `/models/${index}/params`, kinds, true));
}

/** Every name in an `any_of_params` group must be a param the images_edit table maps. */
function checkAnyOfParams(family: FamilySpec, report: Report): void {
  const request = family.images_edit?.request;
  request?.any_of_params?.forEach((group, groupIndex) => {
    group.forEach((name, index) => {
      const rule = request.params[name];
      if (!rule || (rule.policy !== undefined && rule.policy !== "map" && rule.policy !== "passthrough")) {
        report(
          `/images_edit/request/any_of_params/${groupIndex}/${index}`,
          `"${name}" must be a param that /images_edit/request/params maps or passes through`,
        );
      }
    });
  });
}

/** The family's native chat request with every field some model adds (undefined without one). */
function nativeRequestWithModelFields(family: FamilySpec): JsonSchema | undefined {
  const base = family.native?.chat_request as JsonSchema | undefined;
  if (!base) return undefined;
  const properties = { ...((base.properties as Record<string, unknown> | undefined) ?? {}) };
  for (const model of family.models) Object.assign(properties, model.native?.chat_request_properties ?? {});
  return { ...base, properties };
}

/** True when `pointer` names a place a body valid against `schema` can have. */
export function pointerResolves(schema: JsonSchema, pointer: string, root: JsonSchema = schema): boolean {
  let nodes: JsonSchema[] = [schema];
  for (const segment of pointerSegments(pointer)) {
    const next: JsonSchema[] = [];
    for (const node of nodes.flatMap((candidate) => expandSchema(candidate, root))) {
      const properties = node.properties as Record<string, JsonSchema> | undefined;
      if (properties?.[segment]) {
        next.push(properties[segment]);
        continue;
      }
      const isIndex = segment === "*" || /^(0|[1-9][0-9]*)$/.test(segment);
      if (isIndex && (node.items || node.prefixItems)) {
        const prefix = node.prefixItems as JsonSchema[] | undefined;
        const fromPrefix = segment !== "*" ? prefix?.[Number(segment)] : undefined;
        if (fromPrefix) next.push(fromPrefix);
        else if (node.items && typeof node.items === "object") next.push(node.items as JsonSchema);
        continue;
      }
      const additional = node.additionalProperties;
      if (typeof additional === "object" && additional !== null) next.push(additional as JsonSchema);
      else if (additional !== false && !properties && !node.items && isOpen(node)) next.push({});
    }
    if (next.length === 0) return false;
    nodes = next;
  }
  return true;
}

/** A schema without structure (`{}` or a bare object) accepts any path beneath it. */
function isOpen(node: JsonSchema): boolean {
  return node.type === undefined || node.type === "object";
}

function expandSchema(node: JsonSchema, root: JsonSchema): JsonSchema[] {
  if (typeof node.$ref === "string" && node.$ref.startsWith("#/")) {
    let target: unknown = root;
    for (const segment of pointerSegments(node.$ref.slice(1)))
      target = (target as JsonSchema | undefined)?.[segment];
    return target ? expandSchema(target as JsonSchema, root) : [];
  }
  const branches = [node.oneOf, node.anyOf, node.allOf].flatMap((list) => (Array.isArray(list) ? list : []));
  if (branches.length === 0) return [node];
  const own = { ...node, oneOf: undefined, anyOf: undefined, allOf: undefined };
  return [own, ...branches.flatMap((branch) => expandSchema(branch as JsonSchema, root))];
}

/** Where a spreading rule's values write: each key of each object value, beside the key of `to`. */
function spreadTargets(rule: ParamRule): [string, string][] {
  if (!rule.spread || !rule.to) return [];
  const parent = rule.to.slice(0, rule.to.lastIndexOf("/"));
  const targets: [string, string][] = [];
  for (const [value, mapped] of Object.entries(rule.values ?? {})) {
    if (mapped === null || typeof mapped !== "object" || Array.isArray(mapped)) continue;
    for (const key of Object.keys(mapped))
      targets.push([`${parent}${joinPointer([key])}`, `values/${joinPointer([value, key]).slice(1)}`]);
  }
  return targets;
}

type PointerCheck = (pointer: string | { header: string } | undefined, at: string) => void;

/** What the per-operation pointer checks share: the family, its native schemas and the check helpers. */
interface PointerContext {
  readonly family: FamilySpec;
  readonly native: NonNullable<FamilySpec["native"]>;
  readonly report: Report;
  /** A check that a pointer resolves against one of the native schemas. */
  against(schemaName: keyof NonNullable<FamilySpec["native"]>, schema: JsonSchema | undefined): PointerCheck;
  /** Checks the targets of a param table (and of the models' overlays that a spread rule brings). */
  tableTargets(table: ParamTable | undefined, pointer: string, check: PointerCheck): void;
  /** Checks the pointers a constants map writes. */
  constants(values: Record<string, unknown> | undefined, pointer: string, check: PointerCheck): void;
}

function pointerContext(family: FamilySpec, report: Report): PointerContext {
  const native = family.native ?? {};
  const against = (schemaName: keyof typeof native, schema: JsonSchema | undefined): PointerCheck => {
    return (pointer: string | { header: string } | undefined, at: string) => {
      if (typeof pointer !== "string") return;
      if (!schema) {
        report(at, `${pointer} cannot be checked: the spec has no native.${schemaName} schema`);
        return;
      }
      if (!pointerResolves(schema, pointer)) {
        report(at, `${pointer} does not resolve against native.${schemaName}`);
      }
    };
  };
  const tableTargets = (table: ParamTable | undefined, pointer: string, check: PointerCheck) => {
    for (const [name, rule] of Object.entries(table ?? {})) {
      check(rule.to, `${pointer}/${name}/to`);
      check(rule.default_above, `${pointer}/${name}/default_above`);
      for (const [target, at] of spreadTargets(rule)) check(target, `${pointer}/${name}/${at}`);
    }
    // A model's overlay may bring values that the family's rule spreads.
    family.models.forEach((model, index) => {
      for (const [name, overlay] of Object.entries(model.params ?? {})) {
        const base = table?.[name];
        if (!base?.spread || !overlay.values) continue;
        for (const [target, at] of spreadTargets({ ...base, ...overlay }))
          check(target, `/models/${index}/params/${name}/${at}`);
      }
    });
  };
  const constants = (values: Record<string, unknown> | undefined, pointer: string, check: PointerCheck) => {
    for (const key of Object.keys(values ?? {})) check(key, `${pointer}/${joinPointer([key]).slice(1)}`);
  };

  return { family, native, report, against, tableTargets, constants };
}

/** Every pointer of every mapping resolves against the schema of the body it reads or writes. */
function checkPointers(family: FamilySpec, report: Report): void {
  const context = pointerContext(family, report);
  if (family.chat) checkChatPointers(context, family.chat);
  if (family.converse) checkConversePointers(context, family.converse);
  if (family.embeddings) checkEmbeddingsPointers(context, family.embeddings);
  if (family.images) checkImagesPointers(context, family.images);
  if (family.images_edit) checkImagesEditPointers(context, family.images_edit);
  if (family.rerank) checkRerankPointers(context, family.rerank);
}

function checkChatPointers(context: PointerContext, chat: NonNullable<FamilySpec["chat"]>): void {
  const { family, native, against, tableTargets, constants } = context;
  const request = against("chat_request", native.chat_request);
  const { request: mapping, response, stream } = chat;
  for (const field of ["prompt", "messages", "system", "tools", "tool_choice", "model"] as const) {
    request(mapping[field], `/chat/request/${field}`);
  }
  constants(mapping.constants, "/chat/request/constants", request);
  // A param may write a field only some models take (a model's native.chat_request_properties); its
  // `requires` capability keeps it from the others.
  const requestOfSomeModel = against("chat_request", nativeRequestWithModelFields(family));
  tableTargets(mapping.params, "/chat/request/params", requestOfSomeModel);
  const body = against("chat_response", native.chat_response);
  for (const field of ["text", "text_fallback", "content", "id", "guardrail"] as const)
    body(response[field], `/chat/response/${field}`);
  body(response.finish_reason.from, "/chat/response/finish_reason/from");
  body(response.choices?.list, "/chat/response/choices/list");
  for (const [name, source] of Object.entries(response.usage)) body(source, `/chat/response/usage/${name}`);
  if (stream) constants(stream.constants, "/chat/stream/constants", request);
  if (stream && stream.codec === "flat") {
    const chunk = against("chat_stream_chunk", native.chat_stream_chunk);
    chunk(stream.text, "/chat/stream/text");
    if (stream.finish_reason) chunk(stream.finish_reason.from, "/chat/stream/finish_reason/from");
    for (const [name, source] of Object.entries(stream.usage ?? {}))
      chunk(source, `/chat/stream/usage/${name}`);
  }
}

function checkConversePointers(context: PointerContext, mapping: NonNullable<FamilySpec["converse"]>): void {
  const { family, report, tableTargets, constants } = context;
  const modelFields = nativeRequestWithModelFields(family);
  const converse = (pointer: string | { header: string } | undefined, at: string) => {
    if (typeof pointer !== "string") return;
    if (!pointerResolves(converseRequestSchema, pointer)) {
      report(at, `${pointer} is not a field of the Converse request`);
      return;
    }
    // additionalModelRequestFields join the model's native body, where Bedrock checks them.
    const prefix = "/additionalModelRequestFields/";
    if (modelFields && pointer.startsWith(prefix)) {
      const native = `/${pointer.slice(prefix.length)}`;
      if (!pointerResolves(modelFields, native)) {
        report(
          at,
          `${pointer} is not a field of the native body (native.chat_request, or a model's native.chat_request_properties): Bedrock refuses it`,
        );
      }
    }
  };
  tableTargets(mapping.params, "/converse/params", converse);
  constants(mapping.constants, "/converse/constants", converse);
}

function checkEmbeddingsPointers(
  context: PointerContext,
  embeddings: NonNullable<FamilySpec["embeddings"]>,
): void {
  const { native, against, tableTargets, constants } = context;
  const request = against("embeddings_request", native.embeddings_request);
  const { request: mapping, response } = embeddings;
  request(mapping.input.to, "/embeddings/request/input/to");
  request(mapping.image?.to, "/embeddings/request/image/to");
  request(mapping.types?.to, "/embeddings/request/types/to");
  constants(mapping.constants, "/embeddings/request/constants", request);
  constants(mapping.image?.constants, "/embeddings/request/image/constants", request);
  tableTargets(mapping.params, "/embeddings/request/params", request);
  const body = against("embeddings_response", native.embeddings_response);
  response.vectors.forEach((pointer, index) => body(pointer, `/embeddings/response/vectors/${index}`));
  body(response.by_type, "/embeddings/response/by_type");
  body(response.prompt_tokens, "/embeddings/response/prompt_tokens");
}

function checkImagesPointers(context: PointerContext, images: NonNullable<FamilySpec["images"]>): void {
  const { native, report, against, tableTargets, constants } = context;
  const request = against("images_request", native.images_request);
  const { request: mapping, response } = images;
  request(mapping.prompt.to, "/images/request/prompt/to");
  request(mapping.negative_prompt?.to, "/images/request/negative_prompt/to");
  for (const [name, pointer] of Object.entries(mapping.size))
    request(pointer, `/images/request/size/${name}`);
  constants(mapping.constants, "/images/request/constants", request);
  tableTargets(mapping.params, "/images/request/params", request);
  if (mapping.tasks) {
    request(mapping.tasks.to, "/images/request/tasks/to");
    for (const [task, pointer] of Object.entries(mapping.tasks.objects))
      request(pointer, `/images/request/tasks/objects/${task}`);
    if (!Object.hasOwn(mapping.tasks.objects, mapping.tasks.default))
      report(
        "/images/request/tasks/default",
        `"${mapping.tasks.default}" is not one of the tasks under objects`,
      );
  }
  request(mapping.config?.to, "/images/request/config/to");
  const body = against("images_response", native.images_response);
  for (const field of ["images", "seeds", "finish_reasons", "error"] as const)
    body(response[field], `/images/response/${field}`);
}

function checkImagesEditPointers(
  context: PointerContext,
  imagesEdit: NonNullable<FamilySpec["images_edit"]>,
): void {
  const { native, against, tableTargets, constants } = context;
  const request = against("images_edit_request", native.images_edit_request);
  const { request: mapping, response } = imagesEdit;
  mapping.images.to.forEach((pointer, index) => request(pointer, `/images_edit/request/images/to/${index}`));
  for (const field of ["mask", "prompt", "negative_prompt"] as const)
    request(mapping[field]?.to, `/images_edit/request/${field}/to`);
  for (const [name, pointer] of Object.entries(mapping.size ?? {}))
    request(pointer, `/images_edit/request/size/${name}`);
  constants(mapping.constants, "/images_edit/request/constants", request);
  tableTargets(mapping.params, "/images_edit/request/params", request);
  const body = against("images_edit_response", native.images_edit_response);
  for (const field of ["images", "seeds", "finish_reasons", "error"] as const)
    body(response[field], `/images_edit/response/${field}`);
}

function checkRerankPointers(context: PointerContext, rerank: NonNullable<FamilySpec["rerank"]>): void {
  const { native, report, against, tableTargets, constants } = context;
  const request = against("rerank_request", native.rerank_request);
  const { request: mapping, response } = rerank;
  request(mapping.query.to, "/rerank/request/query/to");
  request(mapping.documents.to, "/rerank/request/documents/to");
  constants(mapping.constants, "/rerank/request/constants", request);
  tableTargets(mapping.params, "/rerank/request/params", request);
  const body = against("rerank_response", native.rerank_response);
  body(response.results, "/rerank/response/results");
  body(response.id, "/rerank/response/id");
  // `index` and `score` are read inside each result, so they resolve below the results' items.
  const result = (pointer: string, at: string) => {
    const schema = native.rerank_response;
    if (schema && !pointerResolves(schema, `${response.results}/*${pointer}`)) {
      report(
        at,
        `${pointer} does not resolve inside an item of ${response.results} in native.rerank_response`,
      );
    }
  };
  result(response.index, "/rerank/response/index");
  result(response.score, "/rerank/response/score");
}

function checkTemplate(template: PromptTemplate, pointer: string, report: Report): void {
  for (const [field, value] of Object.entries(template)) {
    if (typeof value !== "string") continue;
    for (const match of value.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      const name = match[1] ?? "";
      if (!templatePlaceholders.includes(name)) {
        report(
          `${pointer}/${field}`,
          `unknown placeholder {${name}}; templates may use ${templatePlaceholders.map((known) => `{${known}}`).join(", ")}`,
        );
      }
    }
  }
  for (const role of ["user", "assistant", "system", "tool"] as const) {
    const value = template[role];
    if (value !== undefined && !value.includes("{content}"))
      report(`${pointer}/${role}`, "a turn template must contain {content}");
  }
  if (template.system_handling === "first-user" && !template.system_wrap) {
    report(`${pointer}/system_handling`, "first-user needs `system_wrap`");
  }
  if ((template.system_handling === "turn" || template.system_handling === "top") && !template.system) {
    report(`${pointer}/system_handling`, `${template.system_handling} needs a \`system\` template`);
  }
}

function checkModels(family: FamilySpec, report: Report): void {
  family.models.forEach((model, index) => {
    const at = `/models/${index}`;
    for (const operation of model.operations ?? []) {
      if (!family.operations.includes(operation))
        report(`${at}/operations`, `operation ${operation} is not offered by the family`);
    }
    for (const route of model.routes ?? []) {
      if (!family.routes.includes(route))
        report(`${at}/routes`, `route ${route} is not offered by the family`);
    }
    checkPrices(model.price as unknown as Record<string, unknown>, `${at}/price`, report);
    model.price.overrides?.forEach((override, overrideIndex) => {
      if (override.profile && !(model.profiles ?? []).includes(override.profile)) {
        report(
          `${at}/price/overrides/${overrideIndex}/profile`,
          `profile "${override.profile}" is not in the model's profiles`,
        );
      }
    });
    const operations = model.operations ?? family.operations;
    const embeds = operations.includes("embeddings");
    if (embeds && !model.embedding) report(at, "an embeddings model needs `embedding` (its dimensions)");
    if (model.embedding?.types && !family.embeddings?.request.types) {
      report(
        `${at}/embedding/types`,
        "vector types need `embeddings.request.types` (where the family takes them)",
      );
    }
    if (
      model.embedding?.default_dimensions !== undefined &&
      !model.embedding.dimensions.includes(model.embedding.default_dimensions)
    ) {
      report(`${at}/embedding/default_dimensions`, "default_dimensions must be one of dimensions");
    }
    const chats = operations.includes("chat");
    if (chats && (model.context_window === undefined || model.max_output_tokens === undefined)) {
      report(at, "a chat model needs context_window and max_output_tokens");
    }
    if (operations.includes("images") && !model.image)
      report(at, "an image model needs `image` (its sizes or aspect ratios)");
    if (operations.includes("images-edit") && family.images_edit?.request.size && !model.image)
      report(at, "an image-edit model whose family maps `size` needs `image` (its sizes or aspect ratios)");
    if (operations.includes("rerank") && !model.rerank)
      report(at, "a rerank model needs `rerank` (its document limits)");
    if (model.profile_only && (model.profiles ?? []).length === 0) {
      report(`${at}/profile_only`, "profile_only needs at least one profile");
    }
    if (model.mantle_base !== undefined && !(model.routes ?? family.routes).includes("mantle")) {
      report(`${at}/mantle_base`, "mantle_base is read by the mantle route only: the model does not take it");
    }
    const mappings = { ...family.chat?.request?.params, ...family.converse?.params };
    for (const [name, param] of [...Object.entries(family.params ?? {}), ...Object.entries(mappings)]) {
      const overlay = model.params?.[name];
      if (
        param.requires &&
        overlay &&
        overlay.policy !== "reject" &&
        !(model.capabilities ?? []).includes(param.requires)
      ) {
        report(`${at}/params/${name}`, `"${name}" requires the ${param.requires} capability`);
      }
    }
  });
}

function checkPrices(price: Record<string, unknown>, pointer: string, report: Report): void {
  for (const [key, value] of Object.entries(price)) {
    if (typeof value === "number" && value < 0)
      report(`${pointer}/${key}`, `price must not be negative (got ${value})`);
    if (key === "images" && Array.isArray(value)) {
      value.forEach((entry: { usd: number }, index) => {
        if (entry.usd < 0)
          report(`${pointer}/images/${index}/usd`, `price must not be negative (got ${entry.usd})`);
      });
    }
    if (key === "overrides" && Array.isArray(value)) {
      value.forEach((entry, index) =>
        checkPrices(entry as Record<string, unknown>, `${pointer}/overrides/${index}`, report),
      );
    }
  }
}
