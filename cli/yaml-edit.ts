import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parse,
  parseDocument,
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

/**
 * The text of a copy of model `like` as a block sequence item (`- id: …` lines), indented by
 * `indent`, with a new id and name, without `deprecated`, headed by `comment`.
 */
function copyModelText(
  spec: ParsedSpecText,
  options: { like: string; id: string; name: string; comment: string; indent?: string },
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
  const anchor =
    target === source ? findModel(target, options.like) : (models.items[models.items.length - 1] as YAMLMap);
  let item = copyModelText(source, { ...options, indent: itemIndent(target.text, anchor) });
  const at = lineEndAfter(target.text, rangeOf(anchor)[1]);
  if (at === target.text.length && !target.text.endsWith("\n")) item = `\n${item}`;
  return applyEdits(target.text, [{ start: at, end: at, text: item }]);
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
    }),
  });
  return applyEdits(text, edits);
}
