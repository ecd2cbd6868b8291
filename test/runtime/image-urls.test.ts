/**
 * http(s) image URLs in chat messages, fetched as LiteLLM fetches them for Bedrock
 * (litellm/litellm_core_utils/prompt_templates/factory.py, BedrockImageProcessor: GET following redirects,
 * the content type names the format, application/* and text/* types become documents, an
 * `image_url.format` overrides the type; 50 MB cap = LiteLLM's MAX_IMAGE_URL_DOWNLOAD_SIZE_MB default).
 * Through the public API, the real AWS SDK and the emulator, with a loopback image server that each test
 * run starts and closes (reaching it needs `imageFetch.allowPrivateAddresses`). Wire shapes of the image
 * blocks: Converse ImageBlock/DocumentBlock (bedrock-runtime service model), Anthropic Messages base64
 * image source, Nova messages-v1 image block.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import {
  type Bedrock,
  createBedrock,
  detectMediaType,
  isPrivateAddress,
  RequestValidationError,
} from "../../runtime/index.js";
import { credentials, failure, lastBody, pdfBytes, pngBase64, pngBytes } from "./live.js";

const CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const NOVA = "amazon.nova-lite-v1:0";

// Leading bytes of each format (the signatures in their specifications); the rest is filler.
const jpegBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)]);
const gifBytes = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.alloc(60, 2)]);
const webpBytes = Buffer.concat([
  Buffer.from("RIFF", "latin1"),
  Buffer.from([52, 0, 0, 0]),
  Buffer.from("WEBPVP8 ", "latin1"),
  Buffer.alloc(48, 3),
]);

interface Served {
  readonly status?: number;
  readonly type?: string;
  readonly body?: Buffer;
  readonly headers?: Record<string, string>;
  /** Chunked (no Content-Length). */
  readonly chunked?: boolean;
  /** Hold the answer until this promise settles. */
  readonly hold?: Promise<void>;
  /** Never answer. */
  readonly silent?: boolean;
}

let emulator: Emulator;
let bedrock: Bedrock;
let images: Server;
let imageBase: string;
const routes = new Map<string, Served>();
const hits: string[] = [];
const arrivals: ((path: string) => void)[] = [];

function serveImage(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url ?? "/";
  hits.push(path);
  for (const arrival of arrivals) arrival(path);
  const served = routes.get(path);
  if (!served) {
    response.writeHead(404).end("not found");
    return;
  }
  if (served.silent) return;
  const send = () => {
    const headers: Record<string, string> = { ...served.headers };
    if (served.type !== undefined) headers["content-type"] = served.type;
    if (!served.chunked) headers["content-length"] = String(served.body?.length ?? 0);
    response.writeHead(served.status ?? 200, headers);
    if (served.chunked && served.body) {
      const half = Math.floor(served.body.length / 2);
      response.write(served.body.subarray(0, half));
      response.end(served.body.subarray(half));
    } else {
      response.end(served.body);
    }
  };
  if (served.hold) served.hold.then(send, send);
  else send();
}

beforeAll(async () => {
  emulator = await startEmulator({ mode: "synthesize" });
  images = createServer(serveImage);
  images.listen(0, "127.0.0.1");
  await once(images, "listening");
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  bedrock = createBedrock({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    num_retries: 0,
    // The image server is on loopback: allowed here explicitly, refused by default.
    imageFetch: { allowPrivateAddresses: true },
  });
});

afterAll(async () => {
  images.closeAllConnections();
  await new Promise((resolve) => images.close(resolve));
  await emulator.close();
});

beforeEach(() => {
  routes.clear();
  hits.length = 0;
  arrivals.length = 0;
});

const converse = (model: string) => `bedrock/converse/${model}`;
const invoke = (model: string) => `bedrock/invoke/${model}`;

function withImages(...urls: string[]) {
  return [
    {
      role: "user",
      content: [
        { type: "text", text: "What is in these?" },
        ...urls.map((url) => ({ type: "image_url", image_url: { url } })),
      ],
    },
  ];
}

function chat(body: Record<string, unknown>, client: Bedrock = bedrock) {
  return client.chat.completions.create(body as never);
}

/** A call refused before Bedrock sees anything. */
async function refused(body: Record<string, unknown>, client: Bedrock = bedrock) {
  const before = emulator.requests.length;
  const error = await failure(chat(body, client));
  expect(RequestValidationError.isInstance(error), String(error)).toBe(true);
  expect(emulator.requests.length).toBe(before);
  return error;
}

describe("fetched image URLs reach the wire as bytes", () => {
  it("Converse: a png URL becomes an image block with the fetched bytes", async () => {
    routes.set("/cat.png", { type: "image/png", body: pngBytes });
    await chat({ model: converse(CLAUDE), messages: withImages(`${imageBase}/cat.png`) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format: "png", source: { bytes: pngBase64 } },
    });
    expect(hits).toEqual(["/cat.png"]);
  });

  it("Anthropic InvokeModel: a jpeg URL (content type with parameters) becomes a base64 image source", async () => {
    routes.set("/photo", { type: "image/jpeg; charset=binary", body: jpegBytes });
    await chat({ model: invoke(CLAUDE), messages: withImages(`${imageBase}/photo`) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/jpeg", data: jpegBytes.toString("base64") },
    });
  });

  it("Nova InvokeModel: the image block carries the format and base64 bytes", async () => {
    routes.set("/a.gif", { type: "image/gif", body: gifBytes });
    await chat({ model: invoke(NOVA), messages: withImages(`${imageBase}/a.gif`) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format: "gif", source: { bytes: gifBytes.toString("base64") } },
    });
  });

  it.each([
    ["no content type", undefined, webpBytes, "webp"],
    ["application/octet-stream", "application/octet-stream", gifBytes, "gif"],
    ["binary/octet-stream (S3's default)", "binary/octet-stream", jpegBytes, "jpeg"],
  ])("an answer with %s is read by its bytes' signature", async (_name, type, body, format) => {
    routes.set("/blob", { type, body });
    await chat({ model: converse(CLAUDE), messages: withImages(`${imageBase}/blob`) });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format, source: { bytes: body.toString("base64") } },
    });
  });

  it("a PDF URL becomes a document block, as LiteLLM makes application/* types documents", async () => {
    routes.set("/report.pdf", { type: "application/pdf", body: pdfBytes });
    await chat({ model: converse(CLAUDE), messages: withImages(`${imageBase}/report.pdf`) });
    const block = lastBody(emulator).messages[0].content[1];
    expect(block.document.format).toBe("pdf");
    expect(block.document.source).toEqual({ bytes: pdfBytes.toString("base64") });
    expect(block.document.name).toMatch(/^[A-Za-z0-9\s\-()[\]]+$/);
  });

  it("image_url.format overrides the served content type (LiteLLM's override)", async () => {
    routes.set("/mislabelled", { type: "text/plain", body: pngBytes });
    await chat({
      model: converse(CLAUDE),
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: `${imageBase}/mislabelled`, format: "image/png" } },
          ],
        },
      ],
    });
    expect(lastBody(emulator).messages[0].content[0]).toEqual({
      image: { format: "png", source: { bytes: pngBase64 } },
    });
  });

  it("redirects are followed", async () => {
    routes.set("/old", { status: 302, headers: { location: "/new.png" } });
    routes.set("/new.png", { type: "image/png", body: pngBytes });
    await chat({ model: converse(CLAUDE), messages: withImages(`${imageBase}/old`) });
    expect(lastBody(emulator).messages[0].content[1].image.format).toBe("png");
    expect(hits).toEqual(["/old", "/new.png"]);
  });

  it("several images are fetched at once, each URL once", async () => {
    // Both answers wait until both requests have arrived: fetched one after another, the first never answers.
    let release!: () => void;
    const bothArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waiting = new Set(["/one.png", "/two.gif"]);
    arrivals.push((path) => {
      waiting.delete(path);
      if (waiting.size === 0) release();
    });
    routes.set("/one.png", { type: "image/png", body: pngBytes, hold: bothArrived });
    routes.set("/two.gif", { type: "image/gif", body: gifBytes, hold: bothArrived });
    await chat({
      model: converse(CLAUDE),
      messages: [
        ...withImages(`${imageBase}/one.png`),
        { role: "assistant", content: "Noted." },
        ...withImages(`${imageBase}/two.gif`, `${imageBase}/one.png`),
      ],
    });
    const sent = lastBody(emulator).messages;
    expect(sent[0].content[1].image.format).toBe("png");
    expect(sent[2].content[1].image.format).toBe("gif");
    expect(sent[2].content[2].image.format).toBe("png");
    expect([...hits].sort()).toEqual(["/one.png", "/two.gif"]);
  });
});

describe("refusals, before any call to Bedrock", () => {
  it("a loopback address is refused by default, without connecting", async () => {
    routes.set("/secret.png", { type: "image/png", body: pngBytes });
    const client = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const error = await refused(
      { model: converse(NOVA), messages: withImages(`${imageBase}/secret.png`) },
      client,
    );
    expect(error.message).toMatch(/127\.0\.0\.1, a loopback, private or link-local address/);
    expect(error.message).toMatch(/allowPrivateAddresses/);
    expect(error.param).toBe("messages[0].content[1]");
    expect(hits).toEqual([]);
  });

  // Refused before any connection, so it holds whichever of 127.0.0.1 and ::1 the machine resolves first.
  it("a host name is resolved first, and refused when it names a loopback address", async () => {
    routes.set("/named.png", { type: "image/png", body: pngBytes });
    const named = `${imageBase.replace("127.0.0.1", "localhost")}/named.png`;
    const strict = createBedrock({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials,
      num_retries: 0,
    });
    const error = await refused({ model: converse(CLAUDE), messages: withImages(named) }, strict);
    expect(error.message).toMatch(
      /localhost resolves to (127\.0\.0\.1|::1), a loopback, private or link-local address/,
    );
    expect(hits).toEqual([]);
  });

  it.each([
    ["file:///etc/passwd", "file:"],
    ["ftp://127.0.0.1/a.png", "ftp:"],
    ["gopher://127.0.0.1/a", "gopher:"],
    ["javascript:alert(1)", "javascript:"],
  ])("the scheme of %s is refused before anything is fetched", async (url, scheme) => {
    routes.set("/fine.png", { type: "image/png", body: pngBytes });
    const error = await refused({
      model: converse(CLAUDE),
      // The fine URL comes first: nothing is fetched while another part's scheme is refused.
      messages: withImages(`${imageBase}/fine.png`, url),
    });
    expect(error.message).toContain(`must be data:, http:, https: or s3: URLs (got ${scheme})`);
    expect(error.param).toBe("messages[0].content[2]");
    expect(hits).toEqual([]);
  });

  it("an image larger than the cap is refused, naming the URL and the limit (Content-Length)", async () => {
    routes.set("/big.png", { type: "image/png", body: Buffer.alloc(4096, 7) });
    const error = await refused({
      model: converse(CLAUDE),
      messages: withImages(`${imageBase}/big.png`),
      imageFetch: { allowPrivateAddresses: true, maxBytes: 1000 },
    });
    expect(error.message).toContain(`${imageBase}/big.png is larger than the 1000 bytes limit`);
  });

  it("an image larger than the cap is refused while it streams (no Content-Length)", async () => {
    routes.set("/big-chunked.png", { type: "image/png", body: Buffer.alloc(4096, 7), chunked: true });
    const error = await refused({
      model: converse(CLAUDE),
      messages: withImages(`${imageBase}/big-chunked.png`),
      imageFetch: { allowPrivateAddresses: true, maxBytes: 1000 },
    });
    expect(error.message).toContain(`${imageBase}/big-chunked.png is larger than the 1000 bytes limit`);
  });

  it("the cap applies to a caller's fetchImage too", async () => {
    const error = await refused({
      model: converse(CLAUDE),
      messages: withImages("https://images.example/huge.png"),
      fetchImage: async () => ({ bytes: new Uint8Array(2048), mediaType: "image/png" }),
      imageFetch: { maxBytes: 1024 },
    });
    expect(error.message).toContain("https://images.example/huge.png is larger than the 1024-byte limit");
  });

  it("an unsupported type is refused, naming the type and the model", async () => {
    routes.set("/logo.svg", { type: "image/svg+xml", body: Buffer.from("<svg/>") });
    const error = await refused({ model: converse(CLAUDE), messages: withImages(`${imageBase}/logo.svg`) });
    expect(error.message).toContain(`image type image/svg+xml is not supported by ${CLAUDE}`);
  });

  it("bytes with no content type and no known signature are refused", async () => {
    routes.set("/mystery", { body: Buffer.from("just some text") });
    const error = await refused({ model: converse(CLAUDE), messages: withImages(`${imageBase}/mystery`) });
    expect(error.message).toMatch(/named no content type and its bytes are not png, jpeg, gif, webp or pdf/);
  });

  it("an HTTP error answer is refused, naming the status", async () => {
    const error = await refused({
      model: converse(CLAUDE),
      messages: withImages(`${imageBase}/missing.png`),
    });
    expect(error.message).toContain(`${imageBase}/missing.png answered HTTP 404`);
  });

  it("a server that does not answer is given up after the timeout", async () => {
    routes.set("/slow.png", { silent: true });
    const error = await refused({
      model: converse(CLAUDE),
      messages: withImages(`${imageBase}/slow.png`),
      imageFetch: { allowPrivateAddresses: true, timeoutMs: 200 },
    });
    expect(error.message).toContain(`${imageBase}/slow.png did not answer within 200 ms`);
  });

  it("a redirect loop is given up after 5 redirects", async () => {
    routes.set("/loop", { status: 302, headers: { location: "/loop" } });
    const error = await refused({ model: converse(CLAUDE), messages: withImages(`${imageBase}/loop`) });
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(hits).toHaveLength(6);
  });

  it("a redirect to another scheme is refused", async () => {
    routes.set("/to-file", { status: 301, headers: { location: "file:///etc/passwd" } });
    const error = await refused({ model: converse(CLAUDE), messages: withImages(`${imageBase}/to-file`) });
    expect(error.message).toMatch(/only http and https URLs are fetched \(got file:\)/);
  });
});

describe("s3:// URLs are read by Bedrock itself (Converse source.s3Location, bedrock-runtime service model)", () => {
  it("Converse: an s3 png key becomes an image with an s3Location, and nothing is fetched", async () => {
    await chat({ model: converse(NOVA), messages: withImages("s3://my-bucket/photos/cat.png") });
    expect(lastBody(emulator).messages[0].content[1]).toEqual({
      image: { format: "png", source: { s3Location: { uri: "s3://my-bucket/photos/cat.png" } } },
    });
    expect(hits).toEqual([]);
  });

  it("Converse: an s3 PDF key becomes a document; image_url.format names a key without an extension", async () => {
    await chat({
      model: converse(NOVA),
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare." },
            { type: "image_url", image_url: { url: "s3://my-bucket/report.pdf" } },
            { type: "image_url", image_url: { url: "s3://my-bucket/scan", format: "image/jpeg" } },
          ],
        },
      ],
    });
    const [, document, image] = lastBody(emulator).messages[0].content;
    expect(document.document.format).toBe("pdf");
    expect(document.document.source).toEqual({ s3Location: { uri: "s3://my-bucket/report.pdf" } });
    expect(image).toEqual({
      image: { format: "jpeg", source: { s3Location: { uri: "s3://my-bucket/scan" } } },
    });
  });

  it("an s3 key of unknown format is refused, asking for image_url.format", async () => {
    const error = await refused({ model: converse(NOVA), messages: withImages("s3://my-bucket/scan") });
    expect(error.message).toMatch(/the format of s3:\/\/my-bucket\/scan is unknown.*image_url\.format/);
  });

  it.each([invoke(CLAUDE), invoke(NOVA)])(
    "%s refuses an s3 image, pointing at the converse route",
    async (model) => {
      const error = await refused({ model, messages: withImages("s3://my-bucket/cat.png") });
      expect(error.message).toMatch(/s3:\/\/my-bucket\/cat\.png.*only on the converse route/);
    },
  );
});

describe("address and format rules", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["8.8.8.8", false],
    ["52.94.133.131", false],
    ["::1", true],
    ["::", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:a9fe:a9fe", true],
    ["2600:1f18::1", false],
    ["::ffff:8.8.8.8", false],
  ])("isPrivateAddress(%s) is %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it.each([
    [pngBytes, "image/png"],
    [jpegBytes, "image/jpeg"],
    [gifBytes, "image/gif"],
    [Buffer.concat([Buffer.from("GIF87a", "latin1"), Buffer.alloc(8)]), "image/gif"],
    [webpBytes, "image/webp"],
    [pdfBytes, "application/pdf"],
    [
      Buffer.concat([Buffer.from("RIFF", "latin1"), Buffer.alloc(4), Buffer.from("WAVE", "latin1")]),
      undefined,
    ],
    [Buffer.from("<html></html>"), undefined],
    [Buffer.alloc(0), undefined],
  ])("detectMediaType reads the signature (%#)", (bytes, expected) => {
    expect(detectMediaType(bytes)).toBe(expected);
  });
});
