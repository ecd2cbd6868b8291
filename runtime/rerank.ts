import { randomUUID } from "node:crypto";
import { runtimeRerankParams } from "../generated/params.js";
import type { RerankMapping } from "../generated/spec-types.js";
import { checkAnswer } from "./answer-check.js";
import { invokeRequestMetadata } from "./call-members.js";
import { computeRerankCost, resolvePrice } from "./cost.js";
import type { CatalogEntry } from "./descriptor.js";
import { RequestValidationError, ResponseParseError } from "./errors.js";
import { resolveOperation } from "./families.js";
import { applyBodyParams, paramTableFor } from "./params.js";
import { readPointer, writeConstants, writePointer } from "./pointer.js";
import { invokeJson, type OperationCall } from "./send.js";
import type { RerankResponse, RerankResult } from "./types.js";

type RerankCall = OperationCall;

/** Request fields the rerank interpreter writes or answers itself; the rest go through the spec's param table. */
const handledHere: ReadonlySet<string> = new Set(["query", "documents", ...runtimeRerankParams]);

/** The query, or a request error naming it. */
function readQuery(query: unknown, model: string): string {
  if (typeof query !== "string" || query.trim() === "") {
    throw new RequestValidationError("query must be a non-empty string", { param: "query", model });
  }
  return query;
}

/** The document texts: strings as they are, `{text}` objects as their text. */
function normalizeDocuments(documents: unknown, entry: CatalogEntry): string[] {
  const model = entry.id;
  if (!Array.isArray(documents) || documents.length === 0) {
    throw new RequestValidationError("documents must be a non-empty list of strings or {text} objects", {
      param: "documents",
      model,
    });
  }
  const limit = entry.rerank?.max_documents;
  if (limit !== undefined && documents.length > limit) {
    throw new RequestValidationError(
      `${documents.length} documents are too many for ${model}: it reranks at most ${limit} per request; split them into several calls`,
      { param: "documents", model, code: "invalid_param_value" },
    );
  }
  return documents.map((document: unknown, index) => {
    const param = `documents[${index}]`;
    const text =
      typeof document === "string"
        ? document
        : document !== null && typeof document === "object" && !Array.isArray(document)
          ? (document as { text?: unknown }).text
          : undefined;
    if (typeof text !== "string") {
      throw new RequestValidationError(`${param} must be a string or an object with a string \`text\``, {
        param,
        model,
      });
    }
    if (text.trim() === "") {
      throw new RequestValidationError(`${param} is empty; Bedrock rejects empty documents`, {
        param,
        model,
      });
    }
    return text;
  });
}

/** `top_n` must pick between 1 and all of the documents. */
function checkTopN(topN: unknown, count: number, model: string): void {
  if (topN === undefined || topN === null) return;
  if (typeof topN !== "number" || !Number.isInteger(topN) || topN < 1 || topN > count) {
    throw new RequestValidationError(
      `top_n=${JSON.stringify(topN)} is out of range for ${count} document${count === 1 ? "" : "s"}: it must be an integer from 1 to ${count}`,
      { param: "top_n", model, code: "invalid_param_value" },
    );
  }
}

/** Queries Bedrock bills for a request: one per started block of `documents_per_query` documents. */
function countSearchUnits(documents: number, entry: CatalogEntry): number {
  const perQuery = entry.rerank?.documents_per_query;
  return perQuery === undefined ? 1 : Math.max(1, Math.ceil(documents / perQuery));
}

/** The results of a native rerank response, in the order the model ranked them. */
function readRerankResults(
  body: unknown,
  mapping: RerankMapping,
  documents: readonly string[],
  model: string,
): { index: number; relevance_score: number }[] {
  const { response } = mapping;
  const results = readPointer(body, response.results);
  if (!Array.isArray(results)) {
    throw new ResponseParseError(`the ${model} rerank response has no result list at ${response.results}`);
  }
  return results.map((result: unknown, position) => {
    const index = readPointer(result, response.index);
    const score = readPointer(result, response.score);
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= documents.length) {
      throw new ResponseParseError(
        `result ${position} of the ${model} rerank response has no valid document index at ${response.index} (got ${JSON.stringify(index)} for ${documents.length} documents)`,
      );
    }
    if (typeof score !== "number" || Number.isNaN(score)) {
      throw new ResponseParseError(
        `result ${position} of the ${model} rerank response has no relevance score at ${response.score}`,
      );
    }
    return { index, relevance_score: score };
  });
}

/**
 * Reranks documents by their relevance to a query with a Bedrock rerank model, in the shape of Cohere's
 * rerank API as LiteLLM returns it, with the cost from the catalog's per-query price.
 */
export async function createRerank(call: RerankCall): Promise<RerankResponse> {
  const { request } = call;
  const { resolved, entry, descriptor } = await resolveOperation(request, call.region, "rerank", call);
  const mapping = descriptor.rerank!;
  const query = readQuery(request.query, entry.id);
  const documents = normalizeDocuments(request.documents, entry);
  checkTopN(request.top_n, documents.length, entry.id);
  const returnDocuments = request.return_documents;
  if (returnDocuments !== undefined && returnDocuments !== null && typeof returnDocuments !== "boolean") {
    throw new RequestValidationError("return_documents must be true or false", {
      param: "return_documents",
      model: entry.id,
    });
  }

  const body: Record<string, unknown> = {};
  writeConstants(body, mapping.request.constants);
  writePointer(body, mapping.request.query.to, query);
  writePointer(body, mapping.request.documents.to, documents);
  // `null` is "not given" (LiteLLM's rerank() sends top_n=None).
  const params = Object.fromEntries(
    Object.entries(request).filter(([name, value]) => !handledHere.has(name) && value !== null),
  );
  applyBodyParams(
    params,
    body,
    call,
    { kind: "rerank", entry, descriptor },
    paramTableFor(mapping.request.params, entry),
  );

  const answer = await invokeJson(call.client, call.options, {
    modelId: resolved.wireModelId,
    body,
    model: entry.id,
    what: `the ${entry.id} rerank response`,
    ...invokeRequestMetadata(request.requestMetadata, entry.id),
  });
  const parsed = answer.body;
  checkAnswer(parsed, descriptor.response_reads?.rerank, `the ${entry.id} rerank response`, entry.id);
  const results: RerankResult[] = readRerankResults(parsed, mapping, documents, entry.id).map((result) =>
    // Each result carries its document's text unless return_documents is false: LiteLLM back-fills it by default.
    returnDocuments === false ? result : { ...result, document: { text: documents[result.index]! } },
  );
  const id = mapping.response.id ? readPointer(parsed, mapping.response.id) : undefined;
  const searchUnits = countSearchUnits(documents.length, entry);
  const price = resolvePrice(entry, resolved.profile, resolved.arnRegion ?? call.region);
  return {
    id: typeof id === "string" && id !== "" ? id : (answer.requestId ?? randomUUID()),
    results,
    model: resolved.displayName,
    meta: { billed_units: { search_units: searchUnits } },
    usage: { search_units: searchUnits, cost: computeRerankCost(price, searchUnits) },
  };
}
