/**
 * Everything that needs the AWS SDK, loaded by the client on its first call: importing the package
 * stays cheap (errors, types and the client factory only).
 */
export { countChatTokens, createChatCompletion, createChatCompletionStream } from "./chat/create.js";
export { createEmbeddings } from "./embeddings.js";
export { generateImages } from "./images.js";
export { editImages } from "./images-edit.js";
export { countMessageTokens, createMessage, createMessageStream } from "./messages/create.js";
export { createRerank } from "./rerank.js";
export { createResponse, createResponseStream } from "./responses/create.js";
export { clientFor } from "./transport.js";
