import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import {
  describeProblems,
  type GenerateResult,
  generate,
  repositoryRoot,
  writeOutput,
} from "../../generator/generate.js";
import { listSpecFiles } from "../../generator/load.js";
import { parseCommandArgs } from "../args.js";
import { type Command, type Output, UsageError } from "../command.js";
import { withStatus } from "../format.js";
import { requireGeneratorOutputFolder } from "../output-folder.js";
import { rankByDistance } from "../suggest.js";
import { addModelCopy, deriveFamilySpec, type ParsedSpecText, parseSpecText } from "../yaml-edit.js";

const help = `Usage: bedrock-forge scaffold <new-model-id> --like <existing-model-id> [options]

Adds a model to the catalog by copying the closest existing one, then regenerates generated/.
  - Same provider as --like: the model is added to --like's family spec, right after it.
  - Another provider (or --family NAME that does not exist yet): a new family spec is created
    from --like's spec, with the new model as its only model.
The spec is edited as YAML, keeping its comments. Limits, regions, profiles and prices are copied
from --like: check them against the AWS documentation before you commit.

Options:
      --like ID        The existing catalog model the new one works like (required).
      --name TEXT      Display name (default: derived from the id).
      --family NAME    Put the model in this family spec (created from --like's spec if missing).
      --dry-run        Print the spec changes; write nothing.
      --specs DIR      Folder of family specs (default: specs).
      --out DIR        Generated output folder (default: generated): new, empty or earlier generator
                       output only; a folder holding other files is refused, never deleted.
  -h, --help           Show this help.

Exit codes: 0 added, 1 refused (the id is already in the catalog) or the spec did not validate
(nothing is left changed), 2 bad usage.

Examples:
  bedrock-forge scaffold anthropic.claude-opus-5-20260301-v1:0 --like anthropic.claude-sonnet-4-5-20250929-v1:0
  bedrock-forge scaffold acme.gizmo-x1-v1:0 --like meta.llama3-1-70b-instruct-v1:0 --family acme-gizmo
`;

const idPattern = /^[a-z0-9-]+\.[A-Za-z0-9.:_-]+$/;
const familyPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const profilePrefixes = ["us", "eu", "apac", "jp", "au", "ca", "in", "us-gov", "global"];

export interface SpecFile extends ParsedSpecText {
  readonly file: string;
  readonly family: string;
  readonly provider: string;
  readonly modelIds: readonly string[];
}

/** Every family spec of a folder, parsed for editing, with its family, provider and model ids. */
export async function readSpecs(specsDir: string): Promise<SpecFile[]> {
  const specs: SpecFile[] = [];
  for (const file of await listSpecFiles(specsDir)) {
    const text = await readFile(file, "utf8");
    let parsed: ParsedSpecText;
    try {
      parsed = parseSpecText(text);
    } catch (error) {
      throw new Error(
        `${file}: ${(error as Error).message}; fix it (\`npm run generate\` shows where) first`,
      );
    }
    const data = parsed.document.toJS() as {
      family?: string;
      provider?: string;
      models?: { id?: string }[];
    };
    specs.push({
      ...parsed,
      file,
      family: data.family ?? path.basename(file, ".yaml"),
      provider: data.provider ?? "",
      modelIds: (data.models ?? []).map((model) => model.id ?? "").filter(Boolean),
    });
  }
  return specs;
}

/** `writer.palmyra-x5-v1:0` → `writer-palmyra`: the provider and the first word of the model name. */
export function familyNameFor(id: string): string {
  const [provider, rest = ""] = id.split(/\.(.*)/s);
  const word = (rest.split(/[-.:_]/)[0] ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
  return word && word !== provider ? `${provider}-${word}` : `${provider}-models`;
}

/** `meta.llama5-70b-instruct-v1:0` → `Llama5 70b Instruct`: a starting point the user is told to check. */
export function displayNameFor(id: string): string {
  const rest = id
    .slice(id.indexOf(".") + 1)
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/:\d+$/, "");
  return rest
    .split("-")
    .filter((word) => !/^\d{8}$/.test(word))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/** The CLI call that tries a model offline, by what it does. */
function tryCommand(operations: readonly string[], id: string): string {
  if (operations.includes("chat")) return `bedrock-forge chat "Hello" --model ${id} --offline`;
  if (operations.includes("embeddings")) return `bedrock-forge embed "Hello" --model ${id} --offline`;
  return `bedrock-forge image "a lighthouse" --model ${id} --out test.png --offline`;
}

const scaffoldOptions = {
  like: { type: "string" },
  name: { type: "string" },
  family: { type: "string" },
  "dry-run": { type: "boolean" },
  specs: { type: "string" },
  out: { type: "string" },
} as const;

/** The new model id and the id it copies, or a usage error naming what is wrong with the arguments. */
function checkScaffoldArgs(
  positionals: readonly string[],
  like: string | undefined,
  family: string | undefined,
): { id: string; like: string } {
  if (positionals.length !== 1) throw new UsageError("give exactly one new model id");
  if (!like) throw new UsageError("--like is required: the existing model the new one works like");
  const id = positionals[0]!;
  if (!idPattern.test(id))
    throw new UsageError(
      `"${id}" is not a Bedrock model id (provider.model-name, e.g. meta.llama3-8b-instruct-v1:0)`,
    );
  const prefix = profilePrefixes.find(
    (candidate) => id.startsWith(`${candidate}.`) && idPattern.test(id.slice(candidate.length + 1)),
  );
  if (prefix)
    throw new UsageError(
      `"${id}" is a cross-region inference profile id; scaffold the base id (${id.slice(prefix.length + 1)}) and list "${prefix}" in its profiles`,
    );
  if (family !== undefined && !familyPattern.test(family))
    throw new UsageError(
      `--family "${family}" must be lower-case words joined by dashes (e.g. writer-palmyra)`,
    );
  return { id, like };
}

/** The spec that holds `like`, or a usage error naming the closest ids of the catalog. */
function findLikeSpec(specs: readonly SpecFile[], like: string): SpecFile {
  const likeSpec = specs.find((spec) => spec.modelIds.includes(like));
  if (likeSpec) return likeSpec;
  const allIds = specs.flatMap((spec) => spec.modelIds);
  const hint = rankByDistance(like, allIds).slice(0, 3);
  throw new UsageError(
    `--like ${like} is not in the catalog${hint.length ? `. Closest: ${hint.join(", ")}` : ""}`,
  );
}

/** One spec file's change: its text before (empty for a new spec) and after, and the spec it extends, if any. */
interface SpecEdit {
  readonly file: string;
  readonly before: string;
  readonly after: string;
  readonly target: SpecFile | undefined;
}

/** The spec change that adds the model: into the family's spec when there is one, else a new spec derived from --like's. */
function planSpecEdit(options: {
  specsDir: string;
  specs: readonly SpecFile[];
  likeSpec: SpecFile;
  like: string;
  id: string;
  name: string;
  familyName: string;
  provider: string;
}): SpecEdit {
  const { specsDir, likeSpec, like, id, name, familyName, provider } = options;
  const target = options.specs.find((spec) => spec.family === familyName);
  const modelComment = `Scaffolded from ${like} by \`bedrock-forge scaffold\`: check context_window, max_output_tokens,\nregions, profiles and price against the AWS documentation, and cite it in the spec's sources.`;
  if (target) {
    const after = addModelCopy({ target, source: likeSpec, like, id, name, comment: modelComment });
    return { file: target.file, before: target.text, after, target };
  }
  const after = deriveFamilySpec({
    source: likeSpec,
    like,
    id,
    name,
    family: familyName,
    provider,
    title: `${name} (scaffolded from ${likeSpec.family})`,
    header: `${familyName}: scaffolded from specs/${likeSpec.family}.yaml by \`bedrock-forge scaffold\`.\nCheck every mapping, param and native schema against the AWS documentation for ${id},\nthen replace the sources with the pages you checked.`,
    sourcesNote: `TODO: these are ${likeSpec.family}'s sources; cite the documentation of ${familyName}.`,
    modelComment,
  });
  return { file: path.join(specsDir, `${familyName}.yaml`), before: "", after, target };
}

/** The operations a model of a spec offers: its own list, else its family's. */
function operationsOf(spec: SpecFile, id: string): string[] {
  const data = spec.document.toJS() as {
    operations?: string[];
    models?: { id: string; operations?: string[] }[];
  };
  return data.models?.find((model) => model.id === id)?.operations ?? data.operations ?? [];
}

/**
 * Writes the edited spec and regenerates `outDir` from the specs. When generation throws or the specs do
 * not validate, the spec goes back as it was; `outDir` is swapped in whole or not at all.
 */
async function applySpecEdit(
  edit: SpecEdit,
  specsDir: string,
  outDir: string,
  stderr: Output,
): Promise<GenerateResult> {
  const restoreSpec = async () => {
    if (edit.target) await writeFile(edit.file, edit.before);
    else if (existsSync(edit.file)) await rm(edit.file);
  };
  await writeFile(edit.file, edit.after);
  let result: GenerateResult;
  try {
    result = await withStatus(stderr, "Regenerating generated/", async () => {
      const generated = await generate({ specsDir, displayRoot: repositoryRoot });
      if (generated.ok) await writeOutput(outDir, generated.files);
      return generated;
    });
  } catch (error) {
    // generated/ is swapped in whole or not at all; the spec goes back as it was too.
    await restoreSpec();
    throw error;
  }
  if (!result.ok) await restoreSpec();
  return result;
}

/** The report of a scaffolded model: what changed, and the steps left to check and test it. */
function describeScaffold(report: {
  id: string;
  like: string;
  relative: string;
  familyName: string;
  newSpec: boolean;
  outLabel: string;
  fileCount: number;
  likeOperations: readonly string[];
}): string {
  const { id, like, relative, familyName, newSpec, outLabel, fileCount, likeOperations } = report;
  const family = newSpec ? `${familyName} (new spec)` : familyName;
  return `Added ${id} to ${relative}, family ${family}, copied from ${like}.
Regenerated ${outLabel}/ (${fileCount} files).

Next steps:
  1. Check the new entry in ${relative}: context_window, max_output_tokens, regions, profiles and
     price are ${like}'s${newSpec ? "; so are the request and response mappings" : ""}. Cite your sources in the spec.
  2. Try it against the built-in emulator:
       ${tryCommand(likeOperations, id)}
  3. Record a fixture from real Bedrock (needs AWS credentials): start the recording proxy,
       bedrock-forge record --upstream https://bedrock-runtime.us-east-1.amazonaws.com --out test/fixtures/${familyName}/recorded
     then send a call through it from another terminal,
       ${tryCommand(likeOperations, id).replace(" --offline", " --endpoint http://127.0.0.1:4011 --region us-east-1")}
     or write a fixture by hand from the AWS documentation, with its \`source\`, next to the family's others.
  4. Update the README's model table, then run the tests:
       npm run docs && npm test
`;
}

export const scaffoldCommand: Command = {
  name: "scaffold",
  summary: "Add a model to the catalog, copying the closest existing one, and regenerate",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, scaffoldOptions, { positionals: true });
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    const { id, like } = checkScaffoldArgs(positionals, values.like, values.family);

    const specsDir = path.resolve(io.cwd, values.specs ?? path.join(repositoryRoot, "specs"));
    const outDir = path.resolve(io.cwd, values.out ?? path.join(repositoryRoot, "generated"));
    // Checked before the spec is touched: regenerating swaps --out in whole, deleting what else is there.
    await requireGeneratorOutputFolder(outDir);
    const specs = await readSpecs(specsDir);

    const owner = specs.find((spec) => spec.modelIds.includes(id));
    if (owner) {
      io.stderr.write(
        `bedrock-forge scaffold: ${id} is already in the catalog (${path.relative(io.cwd, owner.file)}); edit its entry there.\n`,
      );
      return 1;
    }
    const likeSpec = findLikeSpec(specs, like);
    const provider = id.slice(0, id.indexOf("."));
    const name = values.name ?? displayNameFor(id);
    const familyName =
      values.family ?? (provider === likeSpec.provider ? likeSpec.family : familyNameFor(id));
    const edit = planSpecEdit({ specsDir, specs, likeSpec, like, id, name, familyName, provider });
    const relative = path.relative(io.cwd, edit.file) || edit.file;

    if (values["dry-run"]) {
      io.stdout.write(
        createTwoFilesPatch(relative, relative, edit.before, edit.after, "", "", { context: 3 }),
      );
      return 0;
    }
    const result = await applySpecEdit(edit, specsDir, outDir, io.stderr);
    if (!result.ok) {
      io.stderr.write(
        `${describeProblems(result.problems)}\nbedrock-forge scaffold: the specs did not validate with the new model, so ${relative} and generated/ were left as they were.\n`,
      );
      return 1;
    }
    io.stdout.write(
      describeScaffold({
        id,
        like,
        relative,
        familyName,
        newSpec: edit.target === undefined,
        outLabel: path.relative(io.cwd, outDir) || outDir,
        fileCount: result.files.size,
        likeOperations: operationsOf(likeSpec, like),
      }),
    );
    return 0;
  },
};
