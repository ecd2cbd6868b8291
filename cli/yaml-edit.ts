import { isDeepStrictEqual } from "node:util";
import {
  type Alias,
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  Parser,
  parse,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";

/**
 * Edits of a spec file made on its text, located with the `yaml` package's parse (node ranges), so
 * everything not edited — comments, flow maps, quoting, line breaks — stays byte for byte as written.
 */
interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The offset just past the line holding `offset - 1` (a range end), newline included. */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  return newline < 0 ? text.length : newline + 1;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start))
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

function rangeOf(node: Node | null | undefined): [number, number, number] {
  const range = node?.range;
  if (!range) throw new Error("the spec node has no source range");
  return range;
}

function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as
    | Pair<Node, Node>
    | undefined;
}

/**
 * A plain YAML scalar when the value needs no quotes, else a double-quoted one: plain only when YAML
 * reads the text back as this same string (not a number like `3.5` or `1e3`, a boolean or null).
 */
export function scalarText(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9 ._:/()-]*$/.test(value) && !/: |\s$/.test(value) && parse(value) === value
    ? value
    : JSON.stringify(value);
}

function replaceValue(map: YAMLMap, key: string, value: string): TextEdit {
  const pair = pairOf(map, key);
  if (!pair || !isScalar(pair.value)) throw new Error(`the spec has no scalar \`${key}\` to replace`);
  const [start, end] = rangeOf(pair.value);
  return { start, end, text: scalarText(value) };
}

/** Removes a `key: value` pair (block values included) as whole lines. */
function deletePair(text: string, map: YAMLMap, key: string): TextEdit | undefined {
  const pair = pairOf(map, key);
  if (!pair) return undefined;
  const start = lineStart(text, rangeOf(pair.key)[0]);
  const end = lineEndAfter(text, rangeOf(pair.value ?? pair.key)[1]);
  return { start, end, text: "" };
}

function commentLines(indent: string, comment: string): string {
  return comment
    .split("\n")
    .map((line) => `${indent}#${line ? ` ${line}` : ""}\n`)
    .join("");
}

export interface ParsedSpecText {
  readonly text: string;
  readonly document: Document.Parsed;
}

export function parseSpecText(text: string): ParsedSpecText {
  const document = parseDocument(text, { keepSourceTokens: false });
  if (document.errors.length > 0)
    throw new Error(`the spec is not valid YAML: ${document.errors[0]!.message}`);
  if (!isMap(document.contents)) throw new Error("the spec is not a YAML map");
  return { text, document };
}

function modelsOf(spec: ParsedSpecText) {
  const models = spec.document.get("models", true);
  if (!isSeq(models) || models.items.length === 0) throw new Error("the spec has no models list");
  return models;
}

/**
 * A model field's new value: YAML flow text (`[us-east-1]`, `true`), or with `block` the lines of a block
 * collection (indented under the key); `comment` goes at the end of the key's line.
 */
export interface FieldValue {
  readonly text: string;
  readonly block?: boolean;
  readonly comment?: string;
}

/**
 * Sets top-level fields of model `id`: a field it has is replaced whole (its value, block or flow, and the
 * comment lines just above it), one it lacks is added after its `name`, and one set to `undefined` is
 * removed. Everything else in the text stays as written.
 */
export function setModelFields(
  spec: ParsedSpecText,
  id: string,
  fields: Readonly<Record<string, FieldValue | undefined>>,
): string {
  const { text } = spec;
  const model = findModel(spec, id);
  const name = pairOf(model, "name");
  if (model.flow || !name) throw new Error(`model ${id} is not a block map with a name`);
  const nameStart = rangeOf(name.key as Node)[0];
  const indent = text.slice(lineStart(text, nameStart), nameStart);
  if (!/^ *$/.test(indent)) throw new Error(`model ${id}: its name is not on a line of its own`);
  const fieldLine = (key: string, value: FieldValue) => {
    const comment = value.comment ? ` # ${value.comment}` : "";
    if (!value.block) return `${indent}${key}: ${value.text}${comment}\n`;
    const lines = value.text.trimEnd().split("\n");
    return `${indent}${key}:${comment}\n${lines.map((line) => `${indent}  ${line}\n`).join("")}`;
  };
  const edits: TextEdit[] = [];
  let added = "";
  for (const [key, value] of Object.entries(fields)) {
    if (key === "id" || key === "name") throw new Error(`setModelFields does not change a model's ${key}`);
    const pair = pairOf(model, key);
    if (!pair) {
      if (value) added += fieldLine(key, value);
      continue;
    }
    let start = lineStart(text, rangeOf(pair.key)[0]);
    // Comment lines right above the field speak of its old value.
    while (start > 0) {
      const previous = lineStart(text, start - 1);
      if (!text.slice(previous, start).trimStart().startsWith("#")) break;
      start = previous;
    }
    const end = lineEndAfter(text, rangeOf(pair.value ?? pair.key)[1]);
    edits.push({ start, end, text: value ? fieldLine(key, value) : "" });
  }
  if (added) {
    const at = lineEndAfter(text, rangeOf(name.value as Node)[1]);
    edits.push({ start: at, end: at, text: added });
  }
  return applyEdits(text, edits);
}

function findModel(spec: ParsedSpecText, id: string): YAMLMap {
  const model = modelsOf(spec).items.find((item) => isMap(item) && item.get("id") === id);
  if (!isMap(model)) throw new Error(`model ${id} is not in the spec`);
  return model;
}

/** The indentation of the `- ` that starts a block sequence item. */
function itemIndent(text: string, model: YAMLMap): string {
  const mapStart = rangeOf(model)[0];
  return /^[ ]*/.exec(text.slice(lineStart(text, mapStart), mapStart))![0];
}

/** An anchor (`&name`) or alias (`*name`) as written in a spec's text. */
interface AnchorToken {
  readonly kind: "anchor" | "alias";
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Every anchor and alias of a YAML text in order, read from the yaml package's concrete syntax tree. */
function listAnchorTokens(text: string): AnchorToken[] {
  const found: AnchorToken[] = [];
  const visitToken = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitToken(item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const token = value as { type?: unknown; offset?: unknown; source?: unknown };
    if (
      (token.type === "anchor" || token.type === "alias") &&
      typeof token.offset === "number" &&
      typeof token.source === "string"
    ) {
      found.push({
        kind: token.type,
        name: token.source.slice(1),
        start: token.offset,
        end: token.offset + token.source.length,
      });
    }
    for (const child of Object.values(value)) if (typeof child === "object") visitToken(child);
  };
  for (const token of new Parser().parse(text)) visitToken(token);
  return found.sort((a, b) => a.start - b.start);
}

/** The anchor an alias at `offset` refers to: the last one of its name written before it. */
function definitionOf(tokens: readonly AnchorToken[], name: string, offset: number): AnchorToken | undefined {
  return tokens.findLast((token) => token.kind === "anchor" && token.name === name && token.start < offset);
}

/** The value an alias stands for, as one line of JSON (which YAML reads as the same value). */
function aliasValueText(spec: ParsedSpecText, offset: number): string {
  let found: Alias | undefined;
  visit(spec.document, {
    Alias(_key, node) {
      if (node.range?.[0] === offset) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const target = found?.resolve(spec.document);
  if (!target) throw new Error(`the spec's alias at offset ${offset} refers to no anchor`);
  return JSON.stringify(target.toJS(spec.document));
}

/**
 * Removes `&name` and the space around it: the spaces after it when a value follows on its line
 * (`caps: &c [a]` → `caps: [a]`), else the spaces before it (`price: &p` → `price:`).
 */
function removeAnchor(text: string, token: AnchorToken): TextEdit {
  const spacesAfter = /^[ \t]*/.exec(text.slice(token.end))![0].length;
  const next = text[token.end + spacesAfter];
  if (spacesAfter > 0 && next !== undefined && next !== "\n" && next !== "\r")
    return { start: token.start, end: token.end + spacesAfter, text: "" };
  let start = token.start;
  while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start -= 1;
  return { start, end: token.end + spacesAfter, text: "" };
}

/** `name-2`, `name-3` …: the first that no anchor of `taken` has. */
function uniqueAnchorName(name: string, taken: ReadonlySet<string>): string {
  for (let suffix = 2; ; suffix++) if (!taken.has(`${name}-${suffix}`)) return `${name}-${suffix}`;
}

/**
 * Where a copied entry's text lands, which decides what its anchors and aliases may keep:
 * - `keepsOutsideDefinition(definition, alias)`: true when an alias in the copy that refers to an anchor
 *   outside the copied range still resolves to that same anchor where the copy lands (else the alias is
 *   replaced by its value);
 * - `takenAnchors`: the anchor names of the document the copy lands in.
 */
interface CopyPlacement {
  keepsOutsideDefinition(definition: AnchorToken, alias: AnchorToken): boolean;
  readonly takenAnchors: ReadonlySet<string>;
}

/**
 * Edits that make a copied range's anchors and aliases safe where it lands: YAML resolves an alias to
 * the last anchor of its name written before it, so an anchor copied as written would take over every
 * later alias of the original (issue: a copied \`price: &sonnetRegional\` re-pointed Sonnet 4.6's price
 * to the new model's). Anchors the copy itself refers to get a new unique name, the others are removed;
 * an alias to an anchor the landing place lacks is replaced by the value it stands for.
 */
function anchorEdits(
  spec: ParsedSpecText,
  range: { readonly start: number; readonly end: number },
  removed: readonly TextEdit[],
  placement: CopyPlacement,
): TextEdit[] {
  const tokens = listAnchorTokens(spec.text);
  const inRange = (token: AnchorToken) =>
    token.start >= range.start &&
    token.end <= range.end &&
    !removed.some((edit) => token.start >= edit.start && token.end <= edit.end);
  const copied = tokens.filter(inRange);
  const renamed = new Map<AnchorToken, string>();
  const taken = new Set([...placement.takenAnchors, ...tokens.map((token) => token.name)]);
  const edits: TextEdit[] = [];
  for (const alias of copied.filter((token) => token.kind === "alias")) {
    const definition = definitionOf(tokens, alias.name, alias.start);
    if (definition && inRange(definition)) {
      let name = renamed.get(definition);
      if (name === undefined) {
        name = uniqueAnchorName(definition.name, taken);
        taken.add(name);
        renamed.set(definition, name);
      }
      edits.push({ start: alias.start, end: alias.end, text: `*${name}` });
    } else if (!definition || !placement.keepsOutsideDefinition(definition, alias)) {
      edits.push({ start: alias.start, end: alias.end, text: aliasValueText(spec, alias.start) });
    }
  }
  for (const anchor of copied.filter((token) => token.kind === "anchor")) {
    const name = renamed.get(anchor);
    edits.push(
      name === undefined
        ? removeAnchor(spec.text, anchor)
        : { start: anchor.start, end: anchor.end, text: `&${name}` },
    );
  }
  return edits;
}

/**
 * The text of a copy of model `like` as a block sequence item (`- id: …` lines), indented by
 * `indent`, with a new id and name, without `deprecated`, headed by `comment`; its anchors and aliases
 * made safe for `placement`.
 */
function copyModelText(
  spec: ParsedSpecText,
  options: {
    like: string;
    id: string;
    name: string;
    comment: string;
    indent?: string;
    placement: CopyPlacement;
  },
): string {
  const { text } = spec;
  const model = findModel(spec, options.like);
  if (model.flow)
    throw new Error(`model ${options.like} is written as a flow map; scaffold needs block style`);
  if (!pairOf(model, "name")) throw new Error(`model ${options.like} has no name`);
  const [mapStart, mapEnd] = rangeOf(model);
  const start = lineStart(text, mapStart);
  const end = lineEndAfter(text, mapEnd);
  const edits: TextEdit[] = [
    replaceValue(model, "id", options.id),
    replaceValue(model, "name", options.name),
  ];
  const deprecated = deletePair(text, model, "deprecated");
  if (deprecated) edits.push(deprecated);
  edits.push(...anchorEdits(spec, { start, end }, edits, options.placement));
  const growth = edits.reduce((sum, edit) => sum + edit.text.length - (edit.end - edit.start), 0);
  let copy = applyEdits(text, edits).slice(start, end + growth);
  if (!copy.endsWith("\n")) copy += "\n";
  const sourceIndent = itemIndent(text, model);
  const indent = options.indent ?? sourceIndent;
  if (indent !== sourceIndent) {
    copy = copy
      .split("\n")
      .map((line) => (line.startsWith(sourceIndent) ? indent + line.slice(sourceIndent.length) : line))
      .join("\n");
  }
  return commentLines(indent, options.comment) + copy;
}

/** A model entry's value as scaffold copies it: the new id and name, no `deprecated`. */
function copiedValue(spec: ParsedSpecText, like: string, id: string, name: string): unknown {
  const { deprecated: _deprecated, ...value } = findModel(spec, like).toJS(spec.document) as Record<
    string,
    unknown
  >;
  return { ...value, id, name };
}

function modelValuesOf(data: { models?: { id?: string }[] }): Map<string, unknown> {
  return new Map((data.models ?? []).map((model) => [String(model.id), model]));
}

/**
 * Checks an edited spec against what scaffold promises: every model that was there reads as the same
 * value, and the new one reads as the copy of `like`. A spec written in a way the text edit cannot
 * follow fails here, naming the model, instead of being written changed.
 */
function verifyModels(before: ParsedSpecText, after: string, added: { id: string; value: unknown }): void {
  const previous = modelValuesOf(before.document.toJS());
  const next = modelValuesOf(parse(after));
  for (const [id, value] of previous)
    if (!isDeepStrictEqual(next.get(id), value))
      throw new Error(`adding ${added.id} would change model ${id} in the spec; nothing was written`);
  if (!isDeepStrictEqual(next.get(added.id), added.value))
    throw new Error(`the copy ${added.id} would not read as the model it copies; nothing was written`);
  if (next.size !== previous.size + 1)
    throw new Error(`adding ${added.id} would change the spec's model list; nothing was written`);
}

/** Adds a copy of model `like` (from `source`) to `target`: right after `like` in its own spec, else last. */
export function addModelCopy(options: {
  readonly target: ParsedSpecText;
  readonly source: ParsedSpecText;
  readonly like: string;
  readonly id: string;
  readonly name: string;
  readonly comment: string;
}): string {
  const { target, source } = options;
  const models = modelsOf(target);
  const sameSpec = target === source;
  const anchor = sameSpec
    ? findModel(target, options.like)
    : (models.items[models.items.length - 1] as YAMLMap);
  const at = lineEndAfter(target.text, rangeOf(anchor)[1]);
  const targetTokens = sameSpec ? [] : listAnchorTokens(target.text);
  const sourceTokens = sameSpec ? listAnchorTokens(source.text) : [];
  const placement: CopyPlacement = {
    // In its own spec the copy lands after `like`: an alias keeps its anchor unless another anchor of
    // that name is written between the two. In another spec no anchor of the source exists.
    keepsOutsideDefinition: (definition) =>
      sameSpec &&
      !sourceTokens.some(
        (token) =>
          token.kind === "anchor" &&
          token.name === definition.name &&
          token.start > definition.start &&
          token.start < at,
      ),
    takenAnchors: new Set(targetTokens.filter((token) => token.kind === "anchor").map((token) => token.name)),
  };
  let item = copyModelText(source, { ...options, indent: itemIndent(target.text, anchor), placement });
  if (at === target.text.length && !target.text.endsWith("\n")) item = `\n${item}`;
  const result = applyEdits(target.text, [{ start: at, end: at, text: item }]);
  verifyModels(target, result, {
    id: options.id,
    value: copiedValue(source, options.like, options.id, options.name),
  });
  return result;
}

/**
 * A new family spec made from `source`: new header comment, family, provider and title, no
 * description, a note on the sources, and a copy of model `like` as its only model.
 */
export function deriveFamilySpec(options: {
  readonly source: ParsedSpecText;
  readonly like: string;
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly provider: string;
  readonly title: string;
  readonly header: string;
  readonly sourcesNote: string;
  readonly modelComment: string;
}): string {
  const { source } = options;
  const { text } = source;
  const root = source.document.contents as YAMLMap;
  const edits: TextEdit[] = [
    replaceValue(root, "family", options.family),
    replaceValue(root, "provider", options.provider),
    replaceValue(root, "title", options.title),
  ];
  const description = deletePair(text, root, "description");
  if (description) edits.push(description);
  const sources = pairOf(root, "sources");
  if (sources) {
    const at = lineStart(text, rangeOf(sources.key)[0]);
    edits.push({ start: at, end: at, text: commentLines("", options.sourcesNote) });
  }
  // The header: the comment lines before the first key are replaced.
  const firstKey = rangeOf(root.items[0]!.key as Node)[0];
  const headerEnd = lineStart(text, firstKey);
  edits.push({ start: 0, end: headerEnd, text: commentLines("", options.header) });
  const models = modelsOf(source);
  const first = models.items[0] as YAMLMap;
  const last = models.items[models.items.length - 1] as YAMLMap;
  const start = lineStart(text, rangeOf(first)[0]);
  const end = lineEndAfter(text, rangeOf(last)[1]);
  edits.push({
    start,
    end,
    text: copyModelText(source, {
      like: options.like,
      id: options.id,
      name: options.name,
      comment: options.modelComment,
      indent: itemIndent(text, first),
      // The other models go: an alias keeps its anchor only when that is written before the models.
      placement: {
        keepsOutsideDefinition: (definition) => definition.start < start,
        takenAnchors: new Set(),
      },
    }),
  });
  const result = applyEdits(text, edits);
  const derived = parse(result) as { models?: unknown[] };
  if (!isDeepStrictEqual(derived.models, [copiedValue(source, options.like, options.id, options.name)]))
    throw new Error(
      `the new spec's copy of ${options.like} would not read as that model; nothing was written`,
    );
  return result;
}
