import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPng } from "../demo/png.js";
import { runCli } from "./run-cli.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "bedrock-forge-image-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe("bedrock-forge image", { timeout: 60_000 }, () => {
  it("generates an image offline and writes a valid PNG of the requested size", async () => {
    const result = await runCli(
      [
        "image",
        "a lighthouse at dawn",
        "--model",
        "amazon.titan-image-generator-v2:0",
        "--size",
        "512x512",
        "--seed",
        "7",
        "--out",
        "out/lighthouse.png",
        "--offline",
      ],
      { cwd: folder },
    );
    expect(result.stderr).toMatch(/^1 image · cost: \$0\.\d+\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^out\/lighthouse\.png {2}PNG 512x512, \d+ bytes/);
    const png = readPng(await readFile(path.join(folder, "out/lighthouse.png")));
    expect({ width: png.width, height: png.height }).toEqual({ width: 512, height: 512 });
  });

  it("refuses bad usage (exit 2): no --out, a malformed --size, an unknown option", async () => {
    const noOut = await runCli(["image", "otter", "--model", "amazon.titan-image-generator-v2:0"]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("--out is required");
    const badSize = await runCli(
      ["image", "otter", "--model", "amazon.titan-image-generator-v2:0", "--size", "big", "--out", "x.png"],
      {
        cwd: folder,
      },
    );
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('--size must look like 1024x1024 (width x height), not "big"');
    for (const n of ["0", "1e1", "2.0"]) {
      const badCount = await runCli(
        ["image", "otter", "--model", "amazon.titan-image-generator-v2:0", "--n", n, "--out", "x.png"],
        { cwd: folder },
      );
      expect(badCount.code).toBe(2);
      expect(badCount.stderr).toContain(`--n must be a positive integer, not "${n}"`);
    }
    await writeFile(path.join(folder, "a-file"), "");
    const badOut = await runCli(
      [
        "image",
        "otter",
        "--model",
        "amazon.titan-image-generator-v2:0",
        "--out",
        "a-file/x.png",
        "--offline",
      ],
      { cwd: folder },
    );
    expect(badOut.code).toBe(2);
    expect(badOut.stderr).toContain("--out a-file/x.png: cannot create its folder");
    expect(badOut.stderr).not.toContain("cost:");
    const unknown = await runCli(["image", "otter", "--modle", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--modle'");
  });
});
