/**
 * The SDK-backed half of the runtime, imported per operation on its first call and kept: importing the
 * package stays cheap (errors, types and the client factory only), and a chat call does not load the
 * Responses, Messages, embeddings or image modules (a fifth of a first call's time; see BENCHMARKS.md).
 */

/** An import made once, on first use. */
export function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

export const loadTransport = lazily(() => import("./transport.js"));
export const loadChat = lazily(() => import("./chat/create.js"));
export const loadResponses = lazily(() => import("./responses/create.js"));
export const loadMessages = lazily(() => import("./messages/create.js"));
export const loadEmbeddings = lazily(() => import("./embeddings.js"));
export const loadImages = lazily(() => import("./images.js"));
export const loadImageEdits = lazily(() => import("./images-edit.js"));
export const loadRerank = lazily(() => import("./rerank.js"));
