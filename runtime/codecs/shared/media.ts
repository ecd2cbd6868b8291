import type { DocumentBlock, ImageBlock } from "../../chat/model.js";
import { RequestValidationError } from "../../errors.js";

/**
 * Refuses an image or document given as an `s3://` URL where the body needs its bytes: only Converse takes
 * an S3 location (ImageSource / DocumentSource `s3Location` in the Bedrock Runtime service model).
 */
export function requireInlineMedia(block: ImageBlock | DocumentBlock, model: string): void {
  if (block.s3Uri === undefined) return;
  throw new RequestValidationError(
    `${model} needs the bytes of ${block.s3Uri} on the invoke route; Bedrock reads s3:// ${block.kind}s only on the converse route (bedrock/converse/${model})`,
    { param: "messages", model },
  );
}
