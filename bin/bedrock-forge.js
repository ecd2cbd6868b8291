#!/usr/bin/env node
// In a checkout of the repository the CLI runs from the TypeScript sources (through tsx), so a stale
// dist/ from an earlier `npm run build` never shadows them; the installed package (which ships no
// sources) runs the built CLI.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sources = new URL("../cli/main.ts", import.meta.url);
const built = new URL("../dist/cli/main.js", import.meta.url);
let cli;
if (existsSync(fileURLToPath(sources))) {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(sources.href);
} else {
  cli = await import(built.href);
}
await cli.main();
