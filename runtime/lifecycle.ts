import type { Deprecation } from "../generated/spec-types.js";
import type { CatalogEntry } from "./descriptor.js";
import { ModelNotSupportedError } from "./errors.js";

/**
 * Where a catalog model stands in Bedrock's lifecycle on a given day: `active`, `legacy` (still served,
 * with an end of life ahead, see https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html)
 * or `retired` (its end-of-life date has passed: Bedrock answers "This model version has reached the end of
 * its life" and the call fails).
 */
export type LifecycleState = "active" | "legacy" | "retired";

/** How a call treats the lifecycle of its model. */
export interface LifecycleOptions {
  /**
   * Call a model whose end-of-life date has passed anyway (with a warning), for accounts Bedrock still
   * serves it to (a private arrangement, a Region where it lives on). Without it such a call is refused
   * before any request. Defaults to the environment variable `BEDROCK_FORGE_ALLOW_RETIRED=1`.
   */
  readonly allowRetired?: boolean;
  /**
   * Receives the once-per-process warnings (legacy models, retired models called anyway). The environment
   * variable `BEDROCK_FORGE_LIFECYCLE_WARNINGS=0` (or `false`, `off`) silences them.
   */
  readonly warn?: (message: string) => void;
  /** The day (YYYY-MM-DD, UTC) to judge by; defaults to today. */
  readonly today?: string;
}

/** A model whose end-of-life date has passed, refused before any call. */
export class ModelRetiredError extends ModelNotSupportedError {
  static override readonly kind: string = "ModelRetiredError";
  /** The day Bedrock stopped serving the model (YYYY-MM-DD). */
  readonly endOfLife: string;
  /** The model AWS recommends instead, when the catalog names one. */
  readonly replacement: string | undefined;

  constructor(message: string, options: { model: string; endOfLife: string; replacement?: string }) {
    super(message, { model: options.model });
    this.endOfLife = options.endOfLife;
    this.replacement = options.replacement;
  }
}

/** Models already warned about in this process (a warning per model and state, not per call). */
const warned = new Set<string>();

/** The last day read, and the instant it ends (ms since the epoch): formatting a date costs more than a call's own work here. */
let today = { day: "", endsAt: 0 };

/** Today's date in UTC as YYYY-MM-DD, the form of the catalog's lifecycle dates. */
function readToday(): string {
  const now = Date.now();
  if (now >= today.endsAt || now < today.endsAt - 86_400_000) {
    const day = new Date(now).toISOString().slice(0, 10);
    today = { day, endsAt: Date.parse(`${day}T00:00:00.000Z`) + 86_400_000 };
  }
  return today.day;
}

/** The lifecycle state a deprecation record gives on a day (dates compare as YYYY-MM-DD strings). */
export function lifecycleStateOf(deprecation: Deprecation | undefined, today: string): LifecycleState {
  if (!deprecation) return "active";
  if (deprecation.end_of_life !== undefined && deprecation.end_of_life <= today) return "retired";
  if (deprecation.legacy_since !== undefined && deprecation.legacy_since <= today) return "legacy";
  return "active";
}

/** Whether the caller (or the environment) lets retired models through. */
function readAllowRetired(options: LifecycleOptions): boolean {
  if (options.allowRetired !== undefined) return options.allowRetired;
  const variable = process.env.BEDROCK_FORGE_ALLOW_RETIRED;
  return variable === "1" || variable === "true";
}

/** The sentence naming the model to move to, when the catalog has one. */
function describeReplacement(deprecation: Deprecation): string {
  return deprecation.replacement ? ` AWS names ${deprecation.replacement} as its replacement.` : "";
}

/** The warning for a legacy model: still served, with the date it stops being served. */
function describeLegacy(entry: CatalogEntry, deprecation: Deprecation): string {
  const until = deprecation.end_of_life ? `; Bedrock stops serving it on ${deprecation.end_of_life}` : "";
  return `${entry.id} is a legacy model on Bedrock since ${deprecation.legacy_since}${until}.${describeReplacement(deprecation)}`;
}

/**
 * Applies the catalog's lifecycle data to a call before it is sent: refuses a model whose end-of-life
 * date has passed (naming its replacement) unless `allowRetired` is set, and warns once per process
 * about a legacy model or a retired one called anyway.
 */
export function checkLifecycle(entry: CatalogEntry, options: LifecycleOptions = {}): void {
  const deprecation = entry.deprecated;
  if (!deprecation) return;
  const state = lifecycleStateOf(deprecation, options.today ?? readToday());
  if (state === "active") return;
  if (state === "retired") {
    const endOfLife = deprecation.end_of_life as string;
    if (!readAllowRetired(options)) {
      throw new ModelRetiredError(
        `${entry.id} reached its end of life on Bedrock on ${endOfLife}: requests to it fail.${describeReplacement(deprecation)} To call it anyway (an account or Region Bedrock still serves it to), pass allowRetired: true.`,
        { model: entry.id, endOfLife, replacement: deprecation.replacement },
      );
    }
    warnOnce(
      `retired:${entry.id}`,
      () =>
        `${entry.id} reached its end of life on Bedrock on ${endOfLife}; calling it anyway because allowRetired is set.${describeReplacement(deprecation)}`,
      options,
    );
    return;
  }
  warnOnce(`legacy:${entry.id}`, () => describeLegacy(entry, deprecation), options);
}

/** Sends a warning the first time its key is seen in this process (later calls cost a set lookup). */
function warnOnce(key: string, message: () => string, options: LifecycleOptions): void {
  if (warned.has(key)) return;
  const setting = process.env.BEDROCK_FORGE_LIFECYCLE_WARNINGS?.toLowerCase();
  if (setting === "0" || setting === "false" || setting === "off") return;
  warned.add(key);
  (options.warn ?? ((text: string) => console.warn(text)))(message());
}

/** Forgets the warnings already given, so a test can observe them again. */
export function forgetLifecycleWarnings(): void {
  warned.clear();
}
