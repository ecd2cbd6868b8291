import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOutputFile, writeOutputFile } from "../../cli/output-file.js";
import { encodePng } from "../../emulator/synthesize/png.js";
import { readPng } from "../demo/png.js";
import { cleanEnvironment, runCli } from "./run-cli.js";

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

/** A loopback server standing in for Bedrock that counts the calls it gets (and fails them). */
async function startCountingEndpoint(): Promise<{ url: string; calls(): number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((request, response) => {
    calls += 1;
    request.resume();
    response.writeHead(500, { "content-type": "application/json" }).end('{"message":"counted"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("bedrock-forge image --out: no silent overwrite, checked before the billed call", {
  timeout: 60_000,
}, () => {
  const model = ["--model", "amazon.titan-image-generator-v2:0", "--size", "512x512"];

  it("refuses an existing file (exit 2) without calling Bedrock, for each numbered file of --n", async () => {
    const dir = await mkdtemp(path.join(folder, "exists-"));
    await writeFile(path.join(dir, "cat.png"), "mine");
    await writeFile(path.join(dir, "dog-2.png"), "mine too");
    const endpoint = await startCountingEndpoint();
    try {
      const env = cleanEnvironment({
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      });
      const connection = ["--endpoint", endpoint.url, "--region", "us-east-1"];
      const first = await runCli(["image", "cat", ...model, "--out", "cat.png", ...connection], {
        cwd: dir,
        env,
      });
      expect(first.code).toBe(2);
      expect(first.stderr).toContain("--out cat.png exists; pass --force to replace it");
      const second = await runCli(["image", "dog", ...model, "--n", "2", "--out", "dog.png", ...connection], {
        cwd: dir,
        env,
      });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain("--out dog-2.png exists");
      expect(endpoint.calls()).toBe(0);
      // The check can fail: a free path reaches the endpoint.
      const free = await runCli(["image", "owl", ...model, "--out", "owl.png", ...connection], {
        cwd: dir,
        env,
      });
      expect(free.code).toBe(1);
      expect(endpoint.calls()).toBeGreaterThan(0);
    } finally {
      await endpoint.close();
    }
    expect(await readFile(path.join(dir, "cat.png"), "utf8")).toBe("mine");
    expect((await readdir(dir)).sort()).toEqual(["cat.png", "dog-2.png"]);
  });

  it("--force replaces the file, and a link at --out is replaced itself, never written through", async () => {
    const dir = await mkdtemp(path.join(folder, "force-"));
    await writeFile(path.join(dir, "victim.txt"), "precious");
    await symlink(path.join(dir, "victim.txt"), path.join(dir, "cat.png"));
    const refused = await runCli(["image", "cat", ...model, "--out", "cat.png", "--offline"], { cwd: dir });
    expect(refused.code).toBe(2);
    const forced = await runCli(["image", "cat", ...model, "--out", "cat.png", "--offline", "--force"], {
      cwd: dir,
    });
    expect(forced.stderr).toMatch(/^1 image · cost: /);
    expect(forced.code).toBe(0);
    expect((await lstat(path.join(dir, "cat.png"))).isSymbolicLink()).toBe(false);
    expect(readPng(await readFile(path.join(dir, "cat.png"))).width).toBe(512);
    expect(await readFile(path.join(dir, "victim.txt"), "utf8")).toBe("precious");
    // No temporary file is left beside it.
    expect((await readdir(dir)).sort()).toEqual(["cat.png", "victim.txt"]);
  });
});

describe("bedrock-forge image --edit", { timeout: 60_000 }, () => {
  it("edits an image with a mask offline and writes a PNG of the input's size", async () => {
    await writeFile(path.join(folder, "house.png"), encodePng(40, 30, 1));
    await writeFile(path.join(folder, "door.png"), encodePng(40, 30, 0));
    const result = await runCli(
      [
        "image",
        "a red door",
        "--edit",
        "house.png",
        "--mask",
        "door.png",
        "--model",
        "stability.stable-image-inpaint-v1:0",
        "-p",
        "grow_mask=4",
        "--out",
        "edited/door.png",
        "--offline",
      ],
      { cwd: folder },
    );
    expect(result.stderr).toBe("1 image · cost: n/a (no price in the catalog)\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^edited\/door\.png {2}PNG 40x30, \d+ bytes, seed \d+\n$/);
    const png = readPng(await readFile(path.join(folder, "edited/door.png")));
    expect({ width: png.width, height: png.height }).toEqual({ width: 40, height: 30 });
  });

  it("edits without a prompt for a model that takes none, and takes two images for style transfer", async () => {
    await writeFile(path.join(folder, "photo.png"), encodePng(24, 16, 2));
    await writeFile(path.join(folder, "style.png"), encodePng(8, 8, 3));
    const cutout = await runCli(
      ["image", "--edit", "photo.png", "--model", "stability.stable-image-remove-background-v1:0"].concat([
        "--out",
        "cutout.png",
        "--offline",
        "--json",
      ]),
      { cwd: folder },
    );
    expect(cutout.code).toBe(0);
    expect(JSON.parse(cutout.stdout)).toMatchObject({
      model: "stability.stable-image-remove-background-v1:0",
      files: [{ file: "cutout.png", format: "PNG 24x16" }],
      usage: { images: 1, cost: null },
    });
    const styled = await runCli(
      [
        "image",
        "--edit",
        "photo.png",
        "--edit",
        "style.png",
        "--model",
        "stability.stable-style-transfer-v1:0",
      ].concat(["--n", "2", "--out", "styled.png", "--offline"]),
      { cwd: folder },
    );
    expect(styled.code).toBe(0);
    expect(styled.stdout).toMatch(/^styled\.png {2}PNG 24x16.*\nstyled-2\.png {2}PNG 24x16/);
  });

  it("refuses bad usage (exit 2): --mask without --edit, an unreadable --edit, a request the model cannot take", async () => {
    const maskOnly = await runCli(["image", "x", "--mask", "m.png", "--model", "m", "--out", "x.png"], {
      cwd: folder,
    });
    expect(maskOnly.code).toBe(2);
    expect(maskOnly.stderr).toContain("--mask needs --edit: the image to edit");
    const missing = await runCli(
      [
        "image",
        "x",
        "--edit",
        "nope.png",
        "--model",
        "stability.stable-image-inpaint-v1:0",
        "--out",
        "x.png",
      ],
      { cwd: folder },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read --edit nope.png: no such file");
    await writeFile(path.join(folder, "plain.png"), encodePng(8, 8, 4));
    const noPrompt = await runCli(
      ["image", "--edit", "plain.png", "--model", "stability.stable-image-inpaint-v1:0"].concat([
        "--out",
        "never.png",
        "--offline",
      ]),
      { cwd: folder },
    );
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain("prompt must be a non-empty string");
    await expect(lstat(path.join(folder, "never.png"))).rejects.toThrow();
  });
});

describe("writeOutputFile and checkOutputFile", () => {
  it("a file that appears after the check is not replaced, and no temporary file stays", async () => {
    const dir = await mkdtemp(path.join(folder, "race-"));
    const file = path.join(dir, "out.png");
    await checkOutputFile(file, { label: "--out out.png" });
    await writeFile(file, "theirs");
    await expect(writeOutputFile(file, Buffer.from("ours"), { label: "--out out.png" })).rejects.toThrow(
      "--out out.png appeared while the image was made; not replaced",
    );
    expect(await readFile(file, "utf8")).toBe("theirs");
    expect(await readdir(dir)).toEqual(["out.png"]);
  });

  it("refuses a folder at --out, and a folder it cannot write in, before any work", async () => {
    const dir = await mkdtemp(path.join(folder, "check-"));
    await mkdir(path.join(dir, "taken.png"));
    await expect(
      checkOutputFile(path.join(dir, "taken.png"), { label: "--out taken.png", force: true }),
    ).rejects.toThrow("--out taken.png is a folder; name a file");
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, "locked");
      await mkdir(locked, { mode: 0o555 });
      await expect(checkOutputFile(path.join(locked, "x.png"), { label: "--out x.png" })).rejects.toThrow(
        "--out x.png: cannot write in its folder (EACCES)",
      );
    }
  });
});
