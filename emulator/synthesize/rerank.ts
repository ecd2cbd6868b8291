/**
 * Rerank answers for any family with a `rerank` mapping: every document gets a deterministic relevance
 * score, the share of the query's distinct words (case-folded letters and digits) that the document
 * contains, rounded to 4 decimals. Results are sorted by score, ties by document index, cut to the
 * request's `top_n` (the family's `top_n` rule says where it is), and written where the spec's response
 * pointers say.
 */
import type { CatalogEntry, FamilyDescriptor } from "../../runtime/descriptor.js";
import { readPointer, writePointer } from "../../runtime/pointer.js";

type Json = Record<string, unknown>;

/** The distinct words of a text: runs of letters and digits, case-folded. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** The share of the query's distinct words that occur in the document (0 when the query has none). */
export function relevanceScore(query: string, document: string): number {
  const queryWords = wordsOf(query);
  if (queryWords.size === 0) return 0;
  const documentWords = wordsOf(document);
  let shared = 0;
  for (const word of queryWords) if (documentWords.has(word)) shared++;
  return Math.round((shared / queryWords.size) * 10_000) / 10_000;
}

/** Documents ranked by relevance to the query: most relevant first, ties in document order. */
export function rankDocuments(
  query: string,
  documents: readonly string[],
  topN?: number,
): { index: number; score: number }[] {
  const ranked = documents
    .map((document, index) => ({ index, score: relevanceScore(query, document) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  return topN !== undefined && topN > 0 ? ranked.slice(0, topN) : ranked;
}

/** The InvokeModel answer of a rerank model. */
export function buildRerankResponse(body: Json, descriptor: FamilyDescriptor, entry: CatalogEntry): Json {
  const mapping = descriptor.rerank!;
  const query = readPointer(body, mapping.request.query.to);
  const rawDocuments = readPointer(body, mapping.request.documents.to);
  const documents = Array.isArray(rawDocuments) ? rawDocuments.map((document) => String(document)) : [];
  const topNRule = { ...mapping.request.params.top_n, ...entry.params?.top_n };
  const topN = topNRule.to ? readPointer(body, topNRule.to) : undefined;
  const ranked = rankDocuments(
    typeof query === "string" ? query : "",
    documents,
    typeof topN === "number" ? topN : undefined,
  );
  const response: Json = {};
  writePointer(
    response,
    mapping.response.results,
    ranked.map(({ index, score }) => {
      const result: Json = {};
      writePointer(result, mapping.response.index, index);
      writePointer(result, mapping.response.score, score);
      return result;
    }),
  );
  return response;
}
