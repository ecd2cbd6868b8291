import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { explainParseError } from "../../cli/args.js";
import { UsageError } from "../../cli/command.js";
import { explainFailure } from "../../cli/connect.js";
import { awsRegions, checkRegionOption, explainUnknownRegion } from "../../cli/regions.js";
import { suggestCorrection } from "../../cli/suggest.js";
import { editDistance as measureEditDistance } from "../../runtime/suggest.js";
import { runCli } from "./run-cli.js";

describe("measureEditDistance", () => {
  it.each([
    ["offline", "offline", 0],
    ["offlne", "offline", 1],
    ["modle", "model", 1],
    ["us-east1", "us-east-1", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%s → %s: %i", (a, b, distance) => {
    expect(measureEditDistance(a, b)).toBe(distance);
  });

  it("property: symmetric, zero only for equal strings, one for any single typo", () => {
    const word = fc.stringMatching(/^[a-z-]{2,12}$/);
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(measureEditDistance(a, b)).toBe(measureEditDistance(b, a));
        expect(measureEditDistance(a, b) === 0).toBe(a === b);
      }),
    );
    const typo = fc
      .tuple(
        word,
        fc.nat(),
        fc.constantFrom("delete", "insert", "replace", "swap"),
        fc.constantFrom("x", "q"),
      )
      .map(([value, at, kind, letter]) => {
        const index = at % value.length;
        if (kind === "delete") return [value, value.slice(0, index) + value.slice(index + 1)];
        if (kind === "insert") return [value, value.slice(0, index) + letter + value.slice(index)];
        if (kind === "replace")
          return [
            value,
            value.slice(0, index) + (value[index] === letter ? "z" : letter) + value.slice(index + 1),
          ];
        const next = (index + 1) % value.length;
        if (next === 0 || value[index] === value[next]) return [value, `${value}${letter}`];
        return [value, value.slice(0, index) + value[next] + value[index] + value.slice(next + 1)];
      });
    fc.assert(
      fc.property(typo, ([value, changed]) => {
        expect(measureEditDistance(value!, changed!)).toBe(1);
      }),
    );
  });
});

describe("suggestCorrection", () => {
  const options = [
    "model",
    "system",
    "stream",
    "param",
    "json",
    "endpoint",
    "region",
    "profile",
    "offline",
    "help",
  ];
  it.each([
    ["offlne", "offline"],
    ["modle", "model"],
    ["steam", "stream"],
    ["regoin", "region"],
    ["jsno", "json"],
    ["x", undefined],
    ["temperature", undefined],
    ["offline", undefined],
  ])("%s → %s", (given, expected) => {
    expect(suggestCorrection(given, options)).toBe(expected);
  });

  it("suggests nothing when two candidates are equally near", () => {
    expect(suggestCorrection("us-east-3", ["us-east-1", "us-east-2"])).toBeUndefined();
  });
});

describe("explainParseError: an unknown option names the nearest one", () => {
  it("adds (did you mean --offline?) to node:util's message, and nothing to other parse errors", () => {
    const unknown = Object.assign(new Error("Unknown option '--offlne'"), {
      code: "ERR_PARSE_ARGS_UNKNOWN_OPTION",
    });
    const options = { offline: { type: "boolean" }, model: { type: "string" } } as const;
    expect(explainParseError(unknown, options)).toBe("Unknown option '--offlne' (did you mean --offline?)");
    const far = Object.assign(new Error("Unknown option '--zzz'"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" });
    expect(explainParseError(far, options)).toBe("Unknown option '--zzz'");
    const missing = Object.assign(new Error("Option '--model <value>' argument missing"), {
      code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    });
    expect(explainParseError(missing, options)).toBe("Option '--model <value>' argument missing");
  });
});

describe("regions", () => {
  it("awsRegions is the AWS SDK's own region list (partitions data in @aws-sdk/core)", async () => {
    // The SDK keeps the list in an internal module (no public export): read it where it is installed.
    const file = new URL(
      "../../node_modules/@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js",
      import.meta.url,
    );
    const { partitionsInfo } = (await import(fileURLToPath(file))) as {
      partitionsInfo: { partitions: { regionRegex: string; regions: Record<string, unknown> }[] };
    };
    const sdkRegions = partitionsInfo.partitions
      .flatMap((partition) => Object.keys(partition.regions))
      .filter((name) => !name.endsWith("-global"))
      .sort();
    expect([...awsRegions].sort()).toEqual(sdkRegions);
    // Every SDK region is well-formed by the patterns checkRegionOption uses.
    for (const region of sdkRegions) expect(() => checkRegionOption(region)).not.toThrow();
  });

  it.each([
    ["us-east1", '--region "us-east1" is not an AWS region name (did you mean us-east-1?)'],
    ["eu_west_1", '--region "eu_west_1" is not an AWS region name (did you mean eu-west-1?)'],
    ["useast", '--region "useast" is not an AWS region name'],
  ])("checkRegionOption refuses %s", (region, message) => {
    expect(() => checkRegionOption(region)).toThrow(new UsageError(message));
  });

  it("checkRegionOption lets a well-formed name through, even one newer than the list", () => {
    expect(() => checkRegionOption("us-east-1")).not.toThrow();
    expect(() => checkRegionOption("ap-southeast-9")).not.toThrow();
    expect(() => checkRegionOption(undefined)).not.toThrow();
  });

  it("a failure naming a host or region AWS does not have gets the nearest known region", () => {
    // The message the SDK gives when the endpoint host does not resolve (seen with --region us-eats-1).
    const dns = new Error(
      "Could not reach Bedrock for anthropic.claude-3-haiku-20240307-v1:0: getaddrinfo ENOTFOUND bedrock-runtime.us-eats-1.amazonaws.com (ENOTFOUND)",
    );
    expect(explainFailure(dns)).toBe(
      `${dns.message}\n"us-eats-1" is not an AWS region (did you mean us-east-1?). Check --region, AWS_REGION, AWS_DEFAULT_REGION and your profile's region.`,
    );
    expect(
      explainUnknownRegion('Region not accepted: region="eu-wset-1" is not a valid hostname component.'),
    ).toContain("did you mean eu-west-1?");
    // A known region in the message adds nothing.
    expect(
      explainUnknownRegion("getaddrinfo ENOTFOUND bedrock-runtime.us-east-1.amazonaws.com"),
    ).toBeUndefined();
  });
});

describe("the CLI suggests options, commands and regions", { timeout: 60_000 }, () => {
  it("chat --offlne, chatt and --region us-east1 are refused (exit 2) with the nearest right name", async () => {
    const option = await runCli([
      "chat",
      "hi",
      "--model",
      "anthropic.claude-3-haiku-20240307-v1:0",
      "--offlne",
    ]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--offlne' (did you mean --offline?)");
    const command = await runCli(["chatt"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^bedrock-forge: unknown command "chatt"\nDid you mean "chat"\?\n/);
    const region = await runCli([
      "chat",
      "hi",
      "--model",
      "anthropic.claude-3-haiku-20240307-v1:0",
      "--region",
      "us-east1",
    ]);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain(
      '--region "us-east1" is not an AWS region name (did you mean us-east-1?)',
    );
    const emulate = await runCli(["emulate", "--prot", "0"]);
    expect(emulate.code).toBe(2);
    expect(emulate.stderr).toContain("Unknown option '--prot' (did you mean --port?)");
    const generate = await runCli(["generate", "--chek"]);
    expect(generate.code).toBe(2);
    expect(generate.stderr).toContain("Unknown option '--chek' (did you mean --check?)");
  });
});
