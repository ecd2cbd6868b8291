import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeProblems, diffAgainst, generate, repositoryRoot, writeOutput } from "./generate.js";
import { ForeignOutputError } from "./output-folder.js";

export const generateHelp = `Usage: bedrock-forge generate [--check] [--specs DIR] [--out DIR]

Turns the model family specs into typed adapters and the model catalog.

Options:
  --check       Generate in memory and compare with --out; print a diff and exit 1 when stale.
  --specs DIR   Folder of family specs (default: specs).
  --out DIR     Output folder (default: generated): new, empty, or holding earlier generator output
                only (anything else there is refused, never deleted).
  -h, --help    Show this help.

Exit codes: 0 done (or in sync), 1 a spec is invalid or generated code is stale, 2 bad usage (an --out
folder holding other files included).
`;

export interface Output {
  write(text: string): void;
}

function reportForeignOutput(error: ForeignOutputError, io: { stderr: Output }): number {
  io.stderr.write(`bedrock-forge generate: --out ${error.message}\n`);
  return 2;
}

/** The generate command's options, as `node:util` parseArgs takes them. */
export const generateOptions = {
  check: { type: "boolean" },
  specs: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs the generate command; returns the exit code. */
export async function runGenerate(
  argv: readonly string[],
  io: { stdout: Output; stderr: Output; cwd?: string } = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values: { check?: boolean; specs?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: generateOptions,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`bedrock-forge generate: ${(error as Error).message}\n\n${generateHelp}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(generateHelp);
    return 0;
  }
  // Relative folders are the caller's: the CLI's working directory.
  const cwd = io.cwd ?? process.cwd();
  const specsDir = path.resolve(cwd, values.specs ?? path.join(repositoryRoot, "specs"));
  const outDir = path.resolve(cwd, values.out ?? path.join(repositoryRoot, "generated"));
  const started = performance.now();
  const result = await generate({ specsDir, displayRoot: repositoryRoot });
  if (!result.ok) {
    io.stderr.write(`${describeProblems(result.problems)}\n`);
    return 1;
  }
  const outLabel = path.relative(cwd, outDir) || ".";
  if (values.check) {
    const diffs = await diffAgainst(outDir, result.files, outLabel);
    if (diffs.length > 0) {
      io.stderr.write(diffs.join("\n"));
      io.stderr.write(
        `\n${diffs.length} generated file(s) are stale. Run \`npm run generate\` and commit the result.\n`,
      );
      return 1;
    }
    io.stdout.write(
      `${outLabel}/ is up to date (${result.files.size} files, ${result.specs.length} specs).\n`,
    );
    return 0;
  }
  try {
    // Refuses (exit 2) a folder holding anything the generator did not write: the swap would delete it.
    await writeOutput(outDir, result.files);
  } catch (error) {
    if (!(error instanceof ForeignOutputError)) throw error;
    return reportForeignOutput(error, io);
  }
  const elapsed = Math.round(performance.now() - started);
  io.stdout.write(
    `Generated ${result.files.size} files from ${result.specs.length} specs into ${outLabel} in ${elapsed} ms.\n`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runGenerate(process.argv.slice(2));
}
