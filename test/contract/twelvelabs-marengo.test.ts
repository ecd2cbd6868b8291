/**
 * TwelveLabs Marengo Embed 3.0 through the runtime, the real AWS SDK and the emulator (test/fixtures/twelvelabs-marengo:
 * AWS's text example and the documented image input and response format,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-marengo-3.html). Bedrock bills a text
 * per request and an image per image (AWS Price List, 2026-10-06).
 */
import { afterEach, describe, expect, it } from "vitest";
import { RequestValidationError } from "../../runtime/errors.js";
import { loadFixture, type Replay, replay } from "./fixture-replay.js";

let server: Replay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("twelvelabs-marengo contract", () => {
  it("text: AWS's example body; the vector read from data.embedding; priced per request", async () => {
    const fixture = loadFixture("twelvelabs-marengo", "embeddings");
    server = await replay(fixture);
    const result = await server.bedrock.embeddings.create({
      model: "us.twelvelabs.marengo-embed-3-0-v1:0",
      input: "man walking a dog",
    });
    expect(server.received).toEqual([fixture.request]);
    expect(result.data).toEqual([
      { object: "embedding", index: 0, embedding: [0.111, 0.234, -0.052, 0.018] },
    ]);
    expect(result.usage.cost).toBe(0.00007);
  });

  it("image: the image input type and mediaSource.base64String; priced per image", async () => {
    const fixture = loadFixture("twelvelabs-marengo", "embeddings-image");
    server = await replay(fixture);
    const base64 = (fixture.request as { image: { mediaSource: { base64String: string } } }).image.mediaSource
      .base64String;
    const result = await server.bedrock.embeddings.create({
      model: "twelvelabs.marengo-embed-3-0-v1:0",
      input: [{ type: "image_url", image_url: `data:image/png;base64,${base64}` }],
    });
    expect(server.received).toEqual([fixture.request]);
    expect(result.data[0]!.embedding).toEqual([-0.087, 0.142, 0.031, -0.209]);
    expect(result.usage.cost).toBe(0.0001);
  });

  it("texts and images together: one call each, in input order, each with its own input type", async () => {
    const fixture = loadFixture("twelvelabs-marengo", "embeddings");
    server = await replay(fixture, {
      respond: (body) => ({ data: { embedding: [body.inputType === "image" ? 1 : 0] } }),
    });
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const result = await server.bedrock.embeddings.create({
      model: "twelvelabs.marengo-embed-3-0-v1:0",
      input: ["a dog", { type: "image_url", image_url: `data:image/png;base64,${png}` }, "a cat"] as never,
    });
    expect(result.data.map((item) => item.embedding)).toEqual([[0], [1], [0]]);
    expect(server.received.map((body) => body.inputType).sort()).toEqual(["image", "text", "text"]);
    expect(result.usage.cost).toBe(0.00024);
  });

  it("refuses a text beside an image in one input, and other dimensions, before any call", async () => {
    const fixture = loadFixture("twelvelabs-marengo", "embeddings");
    server = await replay(fixture);
    const png = "iVBORw0KGgo=";
    const error = await server.bedrock.embeddings
      .create({
        model: "twelvelabs.marengo-embed-3-0-v1:0",
        input: [{ type: "image_url", image_url: `data:image/png;base64,${png}`, text: "a dog" }] as never,
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(RequestValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "input[0] has a text beside its image; twelvelabs.marengo-embed-3-0-v1:0 embeds a text or an image per input: pass them as two inputs",
    );
    await expect(
      server.bedrock.embeddings.create({
        model: "twelvelabs.marengo-embed-3-0-v1:0",
        input: "a dog",
        dimensions: 1024,
      }),
    ).rejects.toThrow(/512/);
    expect(server.received).toEqual([]);
  });
});
