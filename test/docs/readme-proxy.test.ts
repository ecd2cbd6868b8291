// The README's proxy configs load in the real proxy, and every curl example it shows answers through
// the real proxy in front of the emulator: the HTTP equivalents cannot rot either.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { exampleCredentials, startEmulator } from "../../emulator/index.js";
import { encodePng } from "../../emulator/synthesize/png.js";
import { parseProxyConfig, type RunningProxy, startProxy } from "../../proxy/index.js";
import { repositoryRoot } from "../cli/run-cli.js";

let readme: string;
let proxyReadme: string;
function blocks(language: string, text = readme): string[] {
  return [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map(
    (match) => match[1]!,
  );
}

/** The words of a shell command line, with '…' and "…" quoting and backslash line continuations. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const text = command.replace(/\\\n/g, " ");
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, index + 1);
      word = (word ?? "") + text.slice(index + 1, end);
      index = end;
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

interface CurlExample {
  readonly path: string;
  /** The JSON body (`-d`), or the form fields (`-F name=value`, `-F name=@file`) of a multipart upload. */
  readonly body: Record<string, unknown>;
  readonly form?: readonly (readonly [name: string, value: string])[];
}

/** The `-F name=value` fields of a curl command, in order. */
function formFields(words: readonly string[]): [string, string][] {
  const fields: [string, string][] = [];
  words.forEach((word, index) => {
    if (word !== "-F") return;
    const field = words[index + 1]!;
    const equals = field.indexOf("=");
    fields.push([field.slice(0, equals), field.slice(equals + 1)]);
  });
  return fields;
}

/** Every `curl http://localhost:4000/…` in the README's shell blocks, with its JSON body or form fields. */
function curlExamples(): CurlExample[] {
  const examples: CurlExample[] = [];
  for (const block of blocks("sh")) {
    for (const command of block.split(/\n(?=\S)/)) {
      const words = shellWords(command);
      const start = words.indexOf("curl");
      if (start < 0) continue;
      const url = words.slice(start).find((word) => word.startsWith("http://localhost:4000/"));
      const data = words.indexOf("-d");
      const form = formFields(words);
      if (url && form.length > 0) {
        examples.push({ path: new URL(url).pathname, body: Object.fromEntries(form), form });
        continue;
      }
      if (!url || data < 0) continue;
      examples.push({ path: new URL(url).pathname, body: JSON.parse(words[data + 1]!) });
    }
  }
  return examples;
}

/** A form of curl's fields; each `@file` is a small PNG made here (the README's files are the reader's). */
function uploadOf(fields: readonly (readonly [string, string])[]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (value.startsWith("@")) form.append(name, new Blob([encodePng(16, 16, name.length)]), value.slice(1));
    else form.append(name, value);
  }
  return form;
}

beforeAll(async () => {
  readme = await readFile(path.join(repositoryRoot, "README.md"), "utf8");
  proxyReadme = await readFile(path.join(repositoryRoot, "proxy/README.md"), "utf8");
});

describe("README.md proxy configs", () => {
  it("load in the proxy without problems", () => {
    const configs = blocks("yaml");
    expect(configs.length).toBeGreaterThanOrEqual(6);
    const env = {
      CUSTOM_AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      CUSTOM_AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      CUSTOM_AWS_REGION_NAME: "us-east-1",
    };
    const minimal =
      "model_list:\n  - model_name: any\n    litellm_params:\n      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0\n";
    for (const [index, config] of configs.entries()) {
      const text = config.includes("model_list:") ? config : `${minimal}${config}`;
      expect(
        () => parseProxyConfig(text, `README.md yaml block ${index + 1}`, { env }),
        config,
      ).not.toThrow();
    }
  });
});

describe("proxy/README.md configs", () => {
  it("load in the proxy without problems", () => {
    const configs = blocks("yaml", proxyReadme).filter((config) => config.includes("model_list:"));
    expect(configs.length).toBeGreaterThanOrEqual(1);
    const env = {
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      LITELLM_MASTER_KEY: "sk-example",
    };
    for (const [index, config] of configs.entries()) {
      expect(
        () => parseProxyConfig(config, `proxy/README.md yaml block ${index + 1}`, { env }),
        config,
      ).not.toThrow();
    }
  });
});

describe("README.md curl examples", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let proxy: RunningProxy;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, mode: "synthesize" });
    const main = blocks("yaml").find((block) => block.startsWith("# config.yaml"));
    expect(main).toBeDefined();
    const config = parseDocument(main!).toJS() as {
      model_list: { litellm_params: Record<string, unknown> }[];
    };
    for (const deployment of config.model_list) {
      Object.assign(deployment.litellm_params, {
        aws_bedrock_runtime_endpoint: emulator.url,
        aws_access_key_id: exampleCredentials.accessKeyId,
        aws_secret_access_key: exampleCredentials.secretAccessKey,
      });
    }
    proxy = await startProxy({ config, port: 0, env: {}, log: () => {} });
  });

  afterAll(async () => {
    await proxy?.close({ drainMs: 0 });
    await emulator?.close();
  });

  it("answer through the proxy and the emulator, in OpenAI's shapes", async () => {
    const examples = curlExamples();
    expect(examples.map((example) => example.path).sort()).toEqual(
      expect.arrayContaining([
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/images/generations",
        "/v1/images/edits",
        "/v1/rerank",
      ]),
    );
    for (const example of examples) {
      const response = await fetch(`${proxy.url}${example.path}`, {
        method: "POST",
        ...(example.form
          ? { body: uploadOf(example.form) }
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(example.body) }),
      });
      const text = await response.text();
      expect(response.status, `${example.path} ${JSON.stringify(example.body)}: ${text}`).toBe(200);
      if (example.body.stream === true) {
        expect(text).toMatch(/^data: \{.*"object":"chat\.completion\.chunk"/);
        expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
        continue;
      }
      const body = JSON.parse(text);
      if (example.path === "/v1/chat/completions") {
        expect(body.object).toBe("chat.completion");
        if (example.body.tools) expect(body.choices[0].message.tool_calls?.length ?? 0).toBeGreaterThan(0);
      }
      if (example.path === "/v1/embeddings")
        expect(body.data[0].embedding.length).toBe(example.body.dimensions ?? 1024);
      if (example.path === "/v1/images/generations")
        expect(body.data[0].b64_json.length).toBeGreaterThan(100);
      if (example.path === "/v1/rerank") expect(body.results).toHaveLength(example.body.top_n as number);
      if (example.path === "/v1/images/edits") {
        expect(body.data[0].b64_json.length).toBeGreaterThan(100);
        // AWS's price list has no price for the Stability AI Image Services (README: Image edits).
        expect(body.usage.cost).toBeNull();
        continue;
      }
      expect(body.usage.cost).toBeGreaterThan(0);
    }
  });
});
