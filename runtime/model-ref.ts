/**
 * The one way to call a model id the compiler does not check: `uncheckedModel("…")`. Every other
 * `model` must be a catalog id, a catalog profile id, an ARN or one of LiteLLM's route prefixes
 * (see `ChatModelRef` and friends in types.ts), so a misspelled id is a compile error.
 */
import { RequestValidationError } from "./errors.js";

declare const uncheckedBrand: unique symbol;

/** A model id passed without the compiler's check (its params are not typed either). */
export type UncheckedModelId = string & { readonly [uncheckedBrand]: "unchecked" };

/**
 * Names a model id the compiler does not check: one newer than the catalog (`bedrock-forge models`
 * lists what the catalog knows), or one chosen at run time. At run time it is the string itself.
 *
 * ```ts
 * await bedrock.chat.completions.create({ model: uncheckedModel("vendor.model-2027-v1:0"), messages });
 * ```
 */
export function uncheckedModel(id: string): UncheckedModelId {
  if (typeof id !== "string" || id.trim() === "") {
    throw new RequestValidationError(`uncheckedModel needs a model id (got ${JSON.stringify(id)})`, {
      param: "model",
    });
  }
  return id as UncheckedModelId;
}
