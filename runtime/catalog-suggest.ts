/**
 * Help for a model id the catalog does not list: the nearest catalog ids (edit distance) and the
 * command that lists them all, added to bedrock-forge's own refusals and to Bedrock's "The provided
 * model identifier is invalid." (its ValidationException for an unknown id: see
 * test/recordings/errors/otel-py_test_invoke_model_with_invalid_model.json).
 */
import { catalog, modelIds } from "../generated/catalog.js";
import { BedrockCallError } from "./errors.js";
import { nearestNames } from "./suggest.js";

let knownIds: readonly string[] | undefined;

/** The catalog's base ids and cross-region profile ids. */
function catalogIds(): readonly string[] {
  knownIds ??= modelIds.flatMap((id) => [id, ...catalog[id].profiles.map((profile) => `${profile}.${id}`)]);
  return knownIds;
}

/** At most three catalog ids near `name`: ids that begin with it first (a version suffix left out), then by distance. */
export function nearestCatalogIds(name: string): string[] {
  const near = nearestNames(name, catalogIds(), {
    limit: 12,
    maxDistance: Math.max(3, Math.floor(name.length / 4)),
  });
  const extensionRank = (id: string) => (id.startsWith(name) ? 0 : 1);
  return near.sort((a, b) => extensionRank(a) - extensionRank(b)).slice(0, 3);
}

function listAlternatives(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** A sentence about an id the catalog does not list: what it probably meant, and where to see every id. */
export function describeUnknownModel(name: string): string {
  const nearest = name.startsWith("arn:") ? [] : nearestCatalogIds(name);
  const guess = nearest.length > 0 ? `; did you mean ${listAlternatives(nearest)}?` : ".";
  return `${name} is not in bedrock-forge's catalog${guess} \`bedrock-forge models\` lists the ids it knows.`;
}

const invalidModelMessage = /model identifier is invalid/i;

/**
 * Bedrock's ValidationException for an unknown model id, for an id the catalog does not list either,
 * with the nearest catalog ids added; any other error as it is.
 */
export function explainInvalidModel(error: unknown, name: string): unknown {
  if (
    !BedrockCallError.isInstance(error) ||
    error.awsErrorName !== "ValidationException" ||
    !invalidModelMessage.test(error.message)
  )
    return error;
  return new BedrockCallError(`${error.message} ${describeUnknownModel(name)}`, {
    status: error.status,
    type: error.type,
    code: error.code,
    awsErrorName: error.awsErrorName,
    awsStatus: error.awsStatus,
    requestId: error.requestId,
    retryable: error.retryable,
    cause: error.cause,
  });
}
