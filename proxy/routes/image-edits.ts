import type { FastifyInstance, FastifyRequest } from "fastify";
import { loadFamily } from "../../runtime/families.js";
import { resolveModel } from "../../runtime/index.js";
import { runUnary } from "../dispatch.js";
import { formTextFields, normalizeEditBody, readMultipartBody, typeFormText } from "../image-edit-body.js";
import type { ProxyServices } from "../services.js";
import { postModelRoute } from "./paths.js";

/**
 * A form request's text fields that are the model's typed provider params (Stability's `grow_mask`,
 * `left`, `creativity` …) as numbers and booleans, from the JSON Schema its family's spec declares. A
 * model the catalog does not know keeps its text.
 */
async function typeProviderParams(
  request: Record<string, unknown>,
  text: ReadonlySet<string>,
  model: string,
): Promise<Record<string, unknown>> {
  let params: Readonly<Record<string, { schema: { type?: unknown } }>> | undefined;
  try {
    const { entry } = resolveModel(model);
    if (entry) params = (await loadFamily(entry.family)).descriptor.params;
  } catch {
    return request;
  }
  if (!params) return request;
  const typed = { ...request };
  for (const name of text) {
    const type = params[name]?.schema.type;
    if (typeof typed[name] === "string" && typeof type === "string")
      typed[name] = typeFormText(typed[name] as string, type);
  }
  return typed;
}

/**
 * `POST /v1/images/edits`: OpenAI's image edits (`b64_json`), as the multipart/form-data upload OpenAI's
 * clients send or as JSON with base64 or data URLs. The multipart reader is registered for this route only.
 */
export function registerImageEditRoutes(app: FastifyInstance, services: ProxyServices): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "buffer" },
      async (request: FastifyRequest, body: Buffer) =>
        readMultipartBody(String(request.headers["content-type"]), body),
    );
    postModelRoute(scope, "/images/edits", async (request, reply) => {
      request.body = normalizeEditBody(request.body);
      const text = formTextFields(request.body);
      return runUnary(
        "images-edit",
        request,
        reply,
        services,
        async (deployment, runtimeRequest, options) => {
          const typed = text
            ? await typeProviderParams(runtimeRequest, text, deployment.config.model)
            : runtimeRequest;
          return deployment.bedrock.images.edit(typed as never, options);
        },
      );
    });
  });
}
