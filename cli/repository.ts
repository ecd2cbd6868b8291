import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package's root folder, from the sources (`cli/`) or the build (`dist/cli/`). */
export const packageRoot = fileURLToPath(
  new URL(import.meta.url.includes("/dist/cli/") ? "../.." : "..", import.meta.url),
);

/**
 * What `generate` and `scaffold` need beyond the runtime: the generator's tools, development
 * dependencies of the repository, never installed for the package's users.
 */
export const generatorTools = ["ts-morph", "json-schema-to-typescript", "diff"] as const;

/** Whether `name` can be loaded from `root` (the way the generator loads it). */
function canResolve(name: string, root: string): boolean {
  try {
    createRequire(path.join(root, "package.json")).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a repository command cannot run here, or undefined when it can. `generate` and `scaffold` edit a
 * checkout's specs/ and generated/, from which the package's runtime is compiled: an installed package
 * has neither its generator sources nor the generator's tools, and its catalog is already built in.
 */
export function explainRepositoryOnly(
  command: string,
  root = packageRoot,
  resolvable: (name: string, root: string) => boolean = canResolve,
): string | undefined {
  if (!existsSync(path.join(root, "generator", "main.ts")) || !existsSync(path.join(root, "specs"))) {
    return [
      `\`${command}\` is a repository command: it works on a bedrock-forge checkout's specs/ and generated/,`,
      "from which the package's runtime and catalog are compiled; an installed package has its catalog built in.",
      "To add or change a model, clone the repository (or your fork), then run",
      `  npm ci && npx bedrock-forge ${command} …   (npm run generate, npm test)`,
      "and build or depend on your copy. To call a model the catalog does not list yet, see the README",
      "(`bedrock-forge models` lists the catalog).",
    ].join("\n");
  }
  const missing = generatorTools.filter((name) => !resolvable(name, root));
  if (missing.length > 0)
    return `\`${command}\` needs the generator's tools, the repository's development dependencies: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not installed. Run \`npm ci\` (or \`npm install\`) in ${root}.`;
  return undefined;
}
