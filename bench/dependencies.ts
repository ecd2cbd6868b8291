/**
 * Installs the benchmarks' own dependencies — the peers they compare against (the AI SDK, LangChain.js,
 * Portkey) and autocannon, listed in bench/package.json with their own lock — so the repository's
 * `npm ci` (contributors, CI) never downloads them. Every `npm run bench:*` that needs them runs this
 * first; it does nothing when bench/node_modules is newer than bench/package.json and its lock.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
/** npm's record of what it installed in a folder (its "hidden lockfile"), written by every install. */
const installed = fileURLToPath(new URL("./node_modules/.package-lock.json", import.meta.url));
const wanted = ["./package.json", "./package-lock.json"].map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);

function isInstalled(): boolean {
  if (!existsSync(installed)) return false;
  const installedAt = statSync(installed).mtimeMs;
  return wanted.every((file) => statSync(file).mtimeMs <= installedAt);
}

if (!isInstalled()) {
  process.stdout.write("installing the benchmarks' dependencies (bench/package.json)…\n");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: benchDir, stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write("bench: `npm ci` in bench/ failed; the benchmarks need its packages.\n");
    process.exit(result.status ?? 1);
  }
}
