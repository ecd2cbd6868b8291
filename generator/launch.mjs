/**
 * Runs the generator (`generator/main.ts`) as plain JavaScript: what `npm run generate` and
 * `npm run check:generated` start.
 *
 * The generator's sources stay TypeScript. Run through tsx, every start sent them and their imports
 * through its loader hooks (on a second thread) and transformed them again: about 1.5 s of CPU of a
 * 3 s run. Here esbuild bundles them once into `node_modules/.cache/bedrock-forge/generator.mjs`
 * (about 0.1 s), and later starts only check that bundle against the sources: its first line names
 * every source file it was built from with a SHA-256 of its bytes (and esbuild's version, and this
 * file's hash), and any difference rebuilds it. Packages are not bundled; the generator `require`s
 * them from node_modules as before. Nothing here is committed: the cache is rebuilt on a fresh clone.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const entry = "generator/main.ts";
const bundlePath = path.join(root, "node_modules/.cache/bedrock-forge/generator.mjs");
const stampPrefix = "// bedrock-forge generator bundle, built from: ";

/** The SHA-256 of a file's bytes, or undefined when it cannot be read. */
async function hashFile(file) {
  try {
    return createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
  } catch {
    return undefined;
  }
}

/** What the bundle must have been built from: esbuild's version and this launcher, besides the sources. */
async function readBuildTools() {
  const esbuildPackage = JSON.parse(
    await readFile(path.join(root, "node_modules/esbuild/package.json"), "utf8"),
  );
  return { esbuild: esbuildPackage.version, launcher: await hashFile(fileURLToPath(import.meta.url)) };
}

/** Whether the bundle's stamp still matches the files it names and the build tools. */
async function isBundleCurrent(tools) {
  let firstLine;
  try {
    const text = await readFile(bundlePath, "utf8");
    firstLine = text.slice(0, text.indexOf("\n"));
  } catch {
    return false;
  }
  if (!firstLine.startsWith(stampPrefix)) return false;
  let stamp;
  try {
    stamp = JSON.parse(firstLine.slice(stampPrefix.length));
  } catch {
    return false;
  }
  if (stamp.esbuild !== tools.esbuild || stamp.launcher !== tools.launcher) return false;
  const hashes = await Promise.all(
    Object.keys(stamp.inputs).map((input) => hashFile(path.join(root, input))),
  );
  return Object.values(stamp.inputs).every((hash, index) => hash === hashes[index]);
}

/**
 * An esbuild plugin giving each bundled module its own `import.meta.url` (its source file's URL), so the
 * paths it resolves from there (the repository root, `createRequire`) are those of the sources.
 */
const sourceUrls = {
  name: "source-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replaceAll(
        "import.meta.url",
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: "ts",
    }));
  },
};

/**
 * Bundles the generator's sources; writes the bundle whole (a rename), stamped with what it was built
 * from, and returns the URL to import it from. Where node_modules/.cache cannot be written, the bundle is
 * imported from memory (it imports only Node's built-in modules; packages are `require`d from the sources'
 * folder), and built again on the next run.
 */
async function buildBundle(tools) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    metafile: true,
    outfile: bundlePath,
    plugins: [sourceUrls],
    logLevel: "error",
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs).sort()) {
    inputs[input] = await hashFile(path.join(root, input));
  }
  const text = `${stampPrefix}${JSON.stringify({ ...tools, inputs })}\n${result.outputFiles[0].text}`;
  const staging = `${bundlePath}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(bundlePath), { recursive: true });
    await writeFile(staging, text);
    await rename(staging, bundlePath);
    return pathToFileURL(bundlePath).href;
  } catch {
    return `data:text/javascript;base64,${Buffer.from(text).toString("base64")}`;
  } finally {
    await rm(staging, { force: true }).catch(() => {});
  }
}

const tools = await readBuildTools();
const bundleUrl = (await isBundleCurrent(tools)) ? pathToFileURL(bundlePath).href : await buildBundle(tools);
const { runGenerate } = await import(bundleUrl);
process.exitCode = await runGenerate(process.argv.slice(2));
