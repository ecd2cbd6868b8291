/**
 * The body of `POST /v1/images/edits` in the runtime's terms. OpenAI's clients upload the images as
 * multipart/form-data (openai-node's `images.edit`: `image`, or `image[]` once per image of a list,
 * `mask`, and every other field as text); JSON bodies carry `image` as base64 or URLs, or OpenAI's
 * `images: [{ image_url }]` with `mask: { image_url }`.
 */
import { invalidRequest } from "./errors.js";
import { imagesEditRequestSchema } from "./request-schemas.js";

/** Marks a body read from a form: the names of its fields that arrived as text. */
const formTextKey = Symbol.for("bedrock-forge.formText");

type Body = Record<string, unknown> & { [formTextKey]?: ReadonlySet<string> };

/** JSON Schema types of the edit body's own fields, to read their form text as numbers and booleans. */
const formFieldTypes: ReadonlyMap<string, string> = new Map(
  Object.entries(imagesEditRequestSchema.properties).flatMap(([name, schema]) => {
    const branches = "anyOf" in schema ? schema.anyOf : [schema];
    const typed = branches.find(
      (branch): branch is { type: string } => "type" in branch && typeof branch.type === "string",
    );
    return typed && typed.type !== "null" && typed.type !== "string" ? [[name, typed.type]] : [];
  }),
);

const numberText = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * A form field's text as the JSON type its schema gives (`integer`, `number`, `boolean`); text that is
 * not one stays text, for the body's schema (or the model's param rules) to refuse by name.
 */
export function typeFormText(text: string, type: string | undefined): unknown {
  if ((type === "integer" || type === "number") && numberText.test(text)) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** The request of a multipart/form-data edit: `image` (one, or a list from `image[]`), `mask`, text fields. */
export function readEditForm(form: FormData): Record<string, unknown> {
  const body: Body = {};
  const text = new Set<string>();
  const images: unknown[] = [];
  let listed = false;
  for (const [name, value] of form) {
    if (name === "image" || name === "image[]") {
      images.push(value);
      listed ||= name === "image[]";
      continue;
    }
    if (/[[\]]/.test(name)) {
      throw invalidRequest(
        `form field "${name}": nested fields are not read from multipart bodies; send the request as JSON`,
        name,
      );
    }
    if (Object.hasOwn(body, name)) throw invalidRequest(`form field "${name}" is given more than once`, name);
    if (typeof value === "string") {
      body[name] = typeFormText(value, formFieldTypes.get(name));
      if (typeof body[name] === "string") text.add(name);
    } else {
      body[name] = value;
    }
  }
  if (images.length > 0) body.image = listed || images.length > 1 ? images : images[0];
  Object.defineProperty(body, formTextKey, { value: text, enumerable: false });
  return body;
}

/** Reads a multipart/form-data body; a malformed one is a 400 naming what was wrong. */
export async function readMultipartBody(
  contentType: string,
  bytes: Buffer,
): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    throw invalidRequest(
      `The multipart/form-data body could not be read: ${(error as Error).message}`,
      undefined,
      "invalid_multipart",
    );
  }
  return readEditForm(form);
}

/** The fields of a form body that arrived as text (undefined for a JSON body). */
export function formTextFields(body: unknown): ReadonlySet<string> | undefined {
  return body && typeof body === "object" ? (body as Body)[formTextKey] : undefined;
}

/** An image reference of OpenAI's JSON edits body (`{ image_url }`; `{ file_id }` needs OpenAI's Files API). */
function readImageReference(value: unknown, field: string): unknown {
  if (typeof value === "string" || value instanceof Blob || value === null || typeof value !== "object")
    return value;
  const reference = value as { image_url?: unknown; file_id?: unknown };
  if (reference.file_id !== undefined) {
    throw invalidRequest(
      `${field}.file_id: this proxy has no Files API; send the image as image_url (a data:image/…;base64 URL)`,
      `${field}.file_id`,
      "unsupported_value",
    );
  }
  if (typeof reference.image_url !== "string")
    throw invalidRequest(`${field}.image_url must be a string`, `${field}.image_url`, "invalid_type");
  return reference.image_url;
}

/**
 * OpenAI's JSON edits form in the runtime's terms: `images: [{ image_url }]` becomes `image`, and a mask
 * given as `{ image_url }` its URL. Other bodies are returned as they are.
 */
export function normalizeEditBody(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const request = body as Body;
  const { images, ...rest } = request;
  const normalized: Body = { ...rest };
  if (images !== undefined && images !== null) {
    if (request.image !== undefined && request.image !== null)
      throw invalidRequest("give image or images, not both", "images");
    if (!Array.isArray(images) || images.length === 0)
      throw invalidRequest(
        "images must be a non-empty list of { image_url } objects",
        "images",
        "invalid_type",
      );
    normalized.image = images.map((item, index) => readImageReference(item, `images[${index}]`));
  }
  if (normalized.mask !== undefined) normalized.mask = readImageReference(normalized.mask, "mask");
  const text = request[formTextKey];
  if (text) Object.defineProperty(normalized, formTextKey, { value: text, enumerable: false });
  return normalized;
}
