import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConfigProblem,
  loadProxyConfig,
  ProxyConfigError,
  parseProxyConfig,
} from "../../proxy/config.js";
import { startProxy } from "../../proxy/server.js";

/** The problems a config text produces (fails the test when it loads). */
function problemsOf(text: string, env: Record<string, string> = {}): readonly ConfigProblem[] {
  try {
    parseProxyConfig(text, "config.yaml", { env });
  } catch (error) {
    if (error instanceof ProxyConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config loaded, but it should not have");
}

/** A config in LiteLLM's documented shapes (docs: Bedrock proxy usage, guardrails, continue message, extra headers). */
const litellmConfig = `
model_list:
  - model_name: bedrock-claude-v1
    litellm_params:
      model: bedrock/anthropic.claude-instant-v1
      aws_access_key_id: os.environ/CUSTOM_AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/CUSTOM_AWS_SECRET_ACCESS_KEY
      aws_region_name: os.environ/CUSTOM_AWS_REGION_NAME
      guardrailConfig: {
        "guardrailIdentifier": "ff6ujrregl1q", # The identifier (ID) for the guardrail.
        "guardrailVersion": "DRAFT",           # The version of the guardrail.
        "trace": "disabled",                   # The trace behavior for the guardrail.
    }
  - model_name: bedrock-claude-v1
    litellm_params:
      model: bedrock/us.anthropic.claude-3-haiku-20240307-v1:0
      temperature: 0.7
      top_p: 1
      top_k: 1 # provider-specific param
      max_tokens: 256
      rpm: 100
  - model_name: "bedrock-claude"
    litellm_params:
      model: "bedrock/anthropic.claude-instant-v1"
      user_continue_message: {"role": "user", "content": "Please continue"}
      aws_bedrock_runtime_endpoint: "https://my-fake-endpoint.com"
      extra_headers: {"key": "value"}
      timeout: 30
  - model_name: provisioned
    litellm_params:
      model: bedrock/anthropic.claude-instant-v1
      model_id: arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc
      aws_profile_name: dev-profile
      aws_role_name: arn:aws:iam::123456789012:role/bedrock
      aws_session_name: my-test-session
      num_retries: 2

litellm_settings:
  modify_params: true
  drop_params: true
  num_retries: 3
  request_timeout: 120
  success_callback: ["langfuse"]

general_settings:
  master_key: os.environ/LITELLM_KEY
  max_request_size_mb: 2
`;

describe("config loading", () => {
  it("loads LiteLLM's config.yaml unchanged, resolving os.environ/ references", () => {
    const config = parseProxyConfig(litellmConfig, "config.yaml", {
      env: {
        CUSTOM_AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        CUSTOM_AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        CUSTOM_AWS_REGION_NAME: "us-west-2",
        LITELLM_KEY: "sk-1234",
      },
    });
    expect(config.modelNames).toEqual(["bedrock-claude-v1", "bedrock-claude", "provisioned"]);
    expect(config.deployments.map((deployment) => deployment.id)).toEqual([
      "bedrock-claude-v1#1",
      "bedrock-claude-v1#2",
      "bedrock-claude#1",
      "provisioned#1",
    ]);
    const [first, second, third, fourth] = config.deployments;
    expect(first!.connection).toEqual(
      expect.objectContaining({
        aws_access_key_id: "AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        aws_region_name: "us-west-2",
        num_retries: 0,
      }),
    );
    expect(first!.guardrailConfig).toEqual({
      guardrailIdentifier: "ff6ujrregl1q",
      guardrailVersion: "DRAFT",
      trace: "disabled",
    });
    expect(second!.defaults).toEqual({ temperature: 0.7, top_p: 1, top_k: 1, max_tokens: 256 });
    expect(third!.userContinueMessage).toEqual({ role: "user", content: "Please continue" });
    expect(third!.connection.aws_bedrock_runtime_endpoint).toBe("https://my-fake-endpoint.com");
    expect(third!.connection.extra_headers).toEqual({ key: "value" });
    expect(third!.timeoutMs).toBe(30_000);
    expect(fourth!.modelId).toBe("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc");
    expect(fourth!.connection).toEqual(
      expect.objectContaining({
        aws_profile_name: "dev-profile",
        aws_role_name: "arn:aws:iam::123456789012:role/bedrock",
        aws_session_name: "my-test-session",
        num_retries: 2,
      }),
    );
    expect(config).toEqual(
      expect.objectContaining({
        masterKey: "sk-1234",
        dropParams: true,
        modifyParams: true,
        numRetries: 3,
        requestTimeoutMs: 120_000,
        maxRequestBytes: 2 * 1024 * 1024,
        allowClientSideCredentials: false,
      }),
    );
    // rpm is read as the deployment's share of its model name's requests (LiteLLM's simple-shuffle).
    expect(config.deployments[1]!.shares).toEqual({ rpm: 100 });
    expect(config.deployments[1]!.defaults).not.toHaveProperty("rpm");
    expect(config.warnings).toEqual([
      "config.yaml: litellm_settings.success_callback is not supported and is ignored",
      "config.yaml:13: the closing bracket of a flow collection is indented less than YAML allows; read as PyYAML (LiteLLM) reads it",
    ]);
  });

  it("converts environment values to the type a field needs", () => {
    const config = parseProxyConfig(
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      temperature: os.environ/TEMPERATURE\n",
      "config.yaml",
      { env: { TEMPERATURE: "0.25" } },
    );
    expect(config.deployments[0]!.defaults.temperature).toBe(0.25);
  });

  it("takes environment_variables from the file and the master key from LITELLM_MASTER_KEY", () => {
    const config = parseProxyConfig(
      "environment_variables:\n  REGION: eu-west-1\nmodel_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_region_name: os.environ/REGION\n",
      "config.yaml",
      { env: { LITELLM_MASTER_KEY: "sk-env" } },
    );
    expect(config.deployments[0]!.connection.aws_region_name).toBe("eu-west-1");
    expect(config.masterKey).toBe("sk-env");
  });

  const cases: [string, string, Record<string, string>, Partial<ConfigProblem>][] = [
    [
      "a missing environment variable",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_access_key_id: os.environ/MISSING_KEY\n      aws_secret_access_key: x\n",
      {},
      {
        line: 5,
        column: 26,
        field: "model_list[0].litellm_params.aws_access_key_id",
        message: "environment variable MISSING_KEY is not set",
      },
    ],
    [
      "a master key from a missing variable",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/x.y\ngeneral_settings:\n  master_key: os.environ/NOPE\n",
      {},
      {
        line: 6,
        column: 15,
        field: "general_settings.master_key",
        message: "environment variable NOPE is not set",
      },
    ],
    [
      "a wrong type",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      temperature: hot\n",
      {},
      { line: 5, column: 20, field: "model_list[0].litellm_params.temperature", message: "must be number" },
    ],
    [
      "a web identity token without the role to assume",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_web_identity_token: token\n",
      {},
      {
        line: 5,
        column: 31,
        field: "model_list[0].litellm_params.aws_web_identity_token",
        message: "aws_web_identity_token needs aws_role_name (the role to assume)",
      },
    ],
    [
      "a client-side auth param that does not exist",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      configurable_clientside_auth_params: [aws_regoin_name]\n",
      {},
      { line: 5, field: "model_list[0].litellm_params.configurable_clientside_auth_params[0]" },
    ],
    [
      "a missing model",
      "model_list:\n  - model_name: m\n    litellm_params:\n      temperature: 0.5\n",
      {},
      { line: 4, column: 7, field: "model_list[0].litellm_params.model", message: "model is required" },
    ],
    [
      "a provider other than Bedrock",
      "model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o\n",
      {},
      {
        line: 4,
        column: 14,
        field: "model_list[0].litellm_params.model",
        message: "provider openai is not Bedrock; bedrock-forge serves bedrock/ models only",
      },
    ],
    [
      "a misspelled AWS setting",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_regoin_name: us-east-1\n",
      {},
      { line: 5, column: 7, field: "model_list[0].litellm_params.aws_regoin_name" },
    ],
    [
      "a guardrail without a version",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      guardrailConfig:\n        guardrailIdentifier: abc\n",
      {},
      {
        line: 6,
        column: 9,
        field: "model_list[0].litellm_params.guardrailConfig.guardrailVersion",
        message: "guardrailVersion is required",
      },
    ],
    [
      "an empty model_list",
      "model_list: []\n",
      {},
      { line: 1, column: 13, field: "model_list", message: "must NOT have fewer than 1 items" },
    ],
    [
      "a key without its secret",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_access_key_id: AKIAIOSFODNN7EXAMPLE\n",
      {},
      { field: "model_list[0].litellm_params.aws_secret_access_key" },
    ],
    [
      "a YAML syntax error",
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: [unclosed\n",
      {},
      { line: 5, field: "" },
    ],
  ];
  for (const [what, text, env, expected] of cases) {
    it(`stops on ${what}, naming file, line, column and field`, () => {
      const problems = problemsOf(text, env);
      expect(problems[0]).toEqual(expect.objectContaining({ file: "config.yaml", ...expected }));
      expect(problems[0]!.line).toBeGreaterThan(0);
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsOf(
      "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/x\n      top_p: 3\n  - model_name: b\n    litellm_params:\n      max_tokens: 0\n",
    );
    expect(problems.map((problem) => problem.field)).toEqual(
      expect.arrayContaining([
        "model_list[0].litellm_params.top_p",
        "model_list[1].litellm_params.model",
        "model_list[1].litellm_params.max_tokens",
      ]),
    );
  });

  it("formats problems as file:line:column: field: message", () => {
    const error = (() => {
      try {
        parseProxyConfig(
          "model_list:\n  - model_name: m\n    litellm_params:\n      model: 5x/y\n",
          "conf/proxy.yaml",
        );
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain(
      "conf/proxy.yaml:4:14: model_list[0].litellm_params.model: provider 5x is not Bedrock",
    );
  });
});

describe("config files", () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "bedrock-forge-proxy-"));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("names a missing file", async () => {
    const error = await loadProxyConfig(path.join(directory, "missing.yaml")).catch((caught) => caught);
    expect(error).toBeInstanceOf(ProxyConfigError);
    expect(error.message).toContain("missing.yaml: (config): cannot read the config: file not found");
  });

  it("warns at start about a model the catalog does not know, a missing region and an open server", async () => {
    const lines: { msg: string }[] = [];
    const proxy = await startProxy({
      config: {
        model_list: [
          { model_name: "mystery", litellm_params: { model: "bedrock/acme.unknown-model-v1" } },
          {
            model_name: "known",
            litellm_params: { model: "bedrock/meta.llama3-8b-instruct-v1:0", aws_region_name: "us-east-1" },
          },
        ],
      },
      port: 0,
      log: (line) => lines.push(line),
      env: {},
    });
    await proxy.close({ drainMs: 100 });
    const warnings = lines.map((line) => line.msg);
    expect(warnings).toEqual(
      expect.arrayContaining([
        "mystery#1: bedrock/acme.unknown-model-v1 is not in the catalog; it is called through Converse and its cost is unknown",
        "mystery#1: no AWS region (set aws_region_name, or AWS_REGION in the environment); calls will fail",
        "no master key: the proxy is open, every client can call every model",
      ]),
    );
    expect(warnings.filter((message) => message.startsWith("known#1"))).toEqual([]);
  });

  it("refuses to start on a bad config, naming the file and line", async () => {
    const file = path.join(directory, "bad.yaml");
    await writeFile(
      file,
      "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/anthropic.claude-instant-v1\n      aws_secret_access_key: os.environ/NOT_SET_ANYWHERE\n      aws_access_key_id: x\n",
    );
    const error = await startProxy({ config: file, port: 0, log: () => undefined, env: {} }).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(ProxyConfigError);
    expect(error.message).toContain(
      `${file}:5:30: model_list[0].litellm_params.aws_secret_access_key: environment variable NOT_SET_ANYWHERE is not set`,
    );
  });
});
