import path from "node:path";
import type { BedrockClient, FoundationModelSummary, InferenceProfileSummary } from "@aws-sdk/client-bedrock";
import { catalog, modelIds } from "../../generated/catalog.js";
import type { CatalogEntry } from "../../runtime/descriptor.js";
import { parseCommandArgs } from "../args.js";
import { type Command, type CommandIO, UsageError } from "../command.js";
import { regionFromEnvironment } from "../connect.js";
import { formatTable, withStatus } from "../format.js";
import { requireGeneratorOutputFolder } from "../output-folder.js";
import { checkRegionOption } from "../regions.js";
import { chooseFamily, compareCatalog, type SyncReport } from "../sync-compare.js";
import type { WriteOutcome } from "../sync-write.js";

const help = `Usage: bedrock-forge sync [--region R] [options]

Compares the model catalog with Bedrock's own lists for one Region (the control plane's
ListFoundationModels and ListInferenceProfiles, system-defined profiles, every page) and prints:
  missing   models Bedrock serves there that the catalog lacks (on demand or through a profile;
            provisioned-only and customization-only entries are left out and counted)
  legacy    catalog models Bedrock marks LEGACY there, with its dates beside the catalog's
  gone      catalog models listed for that Region that Bedrock no longer lists
  profiles  profiles Bedrock lists that the catalog lacks, and catalog profiles it does not list
and, when there are any, catalog models Bedrock serves in a Region their entry does not list and
retired catalog models Bedrock still lists. Calls need bedrock:ListFoundationModels and
bedrock:ListInferenceProfiles; credentials come from the usual chain (environment, --profile or
AWS_PROFILE, SSO, roles), or a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK.

Options:
      --region R       AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION or your profile's).
      --profile NAME   A profile from ~/.aws/config or ~/.aws/credentials.
      --endpoint URL   A Bedrock-compatible control plane instead of https://bedrock.R.amazonaws.com,
                       e.g. a running \`bedrock-forge emulate\`.
      --json           Print one JSON object: missing, legacy and gone (arrays of model ids), profiles
                       ({ missing, gone }), regions, retiredButListed, ignored and details.
      --write          Scaffold each missing model into the family its provider and modalities point to
                       (a copy of its closest model, marked unverified, with Bedrock's name, modalities,
                       Region, profiles and lifecycle), then regenerate. Models no family fits are listed
                       as not written, with the reason. Needs a checkout of the repository.
      --specs DIR      Folder of family specs --write edits (default: specs).
      --out DIR        Generated output folder --write regenerates (default: generated).
  -h, --help           Show this help.

Exit codes: 0 compared (differences are not failures), 1 a call failed (no credentials, endpoint
unreachable, access denied) or --write's specs did not validate (nothing is left changed), 2 bad usage.

Examples:
  bedrock-forge sync --region us-east-1
  bedrock-forge sync --region eu-west-1 --json > bedrock-eu-west-1.json
  bedrock-forge sync --endpoint http://127.0.0.1:4010 --region us-east-1 --write
`;

/** Error names of the SDK's answers, and what to do about each. */
function explainSyncFailure(error: unknown, target: string): string {
  const failure = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const message = failure?.message ?? String(error);
  const code = failure?.code ?? failure?.cause?.code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  if (/region is missing/i.test(message))
    return `no Region: give --region, set AWS_REGION, or use a profile that has one (${message})`;
  if (failure?.name === "CredentialsProviderError" || /could not load credentials/i.test(message))
    return `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile (SSO and roles work through a profile), or AWS_BEARER_TOKEN_BEDROCK (${message})`;
  if (code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(code))
    return `could not reach ${target} (${code}): ${
      code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "the host name did not resolve; is the Region one where Bedrock runs?"
        : "nothing answered there; is the endpoint right (a running `bedrock-forge emulate`?)"
    }`;
  if (failure?.name === "AccessDeniedException")
    return `access denied by ${target}: the caller needs bedrock:ListFoundationModels and bedrock:ListInferenceProfiles (${message})`;
  if (failure?.name === "InvalidSignatureException" && /valid region/i.test(message))
    return `${target} does not serve the Region the request was signed for; check --region (${message.trim()})`;
  if (
    failure?.name === "UnrecognizedClientException" ||
    failure?.name === "InvalidSignatureException" ||
    failure?.name === "ExpiredTokenException"
  )
    return `${target} refused the credentials (${failure.name}): ${message.trim()}`;
  return `${failure?.name && failure.name !== "Error" ? `${failure.name}: ` : ""}${message}`;
}

/** Static keys from the command's environment (the first link of the usual chain), else the SDK's chain. */
function credentialsFromEnvironment(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

interface Listings {
  readonly region: string;
  readonly models: FoundationModelSummary[];
  readonly profiles: InferenceProfileSummary[];
}

/** ListFoundationModels (one answer) and every page of ListInferenceProfiles (system-defined). */
async function readBedrockLists(
  flags: { region?: string; endpoint?: string; profile?: string },
  env: NodeJS.ProcessEnv,
): Promise<Listings> {
  const { BedrockClient, ListFoundationModelsCommand, paginateListInferenceProfiles } = await import(
    "@aws-sdk/client-bedrock"
  );
  const region = flags.region ?? regionFromEnvironment(env);
  const credentials = flags.profile === undefined ? credentialsFromEnvironment(env) : undefined;
  const client: BedrockClient = new BedrockClient({
    ...(region !== undefined ? { region } : {}),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(credentials ? { credentials, authSchemePreference: ["sigv4"] } : {}),
  });
  try {
    const listed = await client.send(new ListFoundationModelsCommand({}));
    const profiles: InferenceProfileSummary[] = [];
    for await (const page of paginateListInferenceProfiles({ client }, { typeEquals: "SYSTEM_DEFINED" }))
      profiles.push(...(page.inferenceProfileSummaries ?? []));
    return { region: await client.config.region(), models: listed.modelSummaries ?? [], profiles };
  } finally {
    client.destroy();
  }
}

/** The report as one JSON object: the three id lists first, details after. */
function toJson(report: SyncReport, entries: readonly CatalogEntry[], today: string, outcome?: WriteOutcome) {
  return {
    region: report.region,
    missing: report.missing.map((model) => model.id),
    legacy: report.legacy.map((model) => model.id),
    gone: report.gone,
    profiles: report.profiles,
    regions: report.regions,
    retiredButListed: report.retiredButListed,
    ignored: report.ignored,
    counts: report.counts,
    details: {
      missing: report.missing.map((model) => ({ ...model, family: chooseFamily(model, entries, today) })),
      legacy: report.legacy,
    },
    ...(outcome ? { write: outcome } : {}),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The report for people: one section per kind of difference, each a table or a list. */
function formatReport(report: SyncReport, entries: readonly CatalogEntry[], today: string): string {
  const out: string[] = [
    `Bedrock in ${report.region}: ${report.counts.models} model ${report.counts.models === 1 ? "entry" : "entries"} (ListFoundationModels), ${plural(report.counts.profiles, "system-defined profile")} (ListInferenceProfiles); catalog: ${plural(report.counts.catalog, "model")}.`,
    "",
  ];
  const section = (title: string, body: string) => out.push(title, body.trimEnd(), "");
  if (report.missing.length > 0) {
    const rows = report.missing.map((model) => {
      const choice = chooseFamily(model, entries, today);
      return [
        model.id,
        model.name ?? "",
        `${model.inputModalities.join(",")} → ${model.outputModalities.join(",")}`,
        model.inferenceTypes.includes("ON_DEMAND") ? "on demand" : "profiles only",
        model.profiles.join(",") || "—",
        choice.family !== undefined ? `${choice.family} (like ${choice.like})` : `— ${choice.reason}`,
      ];
    });
    section(
      `Missing: Bedrock serves ${plural(report.missing.length, "model")} the catalog lacks`,
      formatTable(["id", "name", "modalities", "served", "profiles", "family for --write"], rows),
    );
  } else out.push("Missing: none.", "");
  if (report.legacy.length > 0) {
    const rows = report.legacy.map((model) => [
      model.id,
      model.legacySince ?? "—",
      model.endOfLife ?? "—",
      `${model.catalogState}${model.catalogLegacySince ? `, legacy since ${model.catalogLegacySince}` : ""}${model.catalogEndOfLife ? `, end of life ${model.catalogEndOfLife}` : ""}`,
    ]);
    section(
      `Legacy: Bedrock marks ${plural(report.legacy.length, "catalog model")} LEGACY`,
      formatTable(["id", "legacy since", "end of life", "catalog"], rows),
    );
  } else out.push("Legacy: none.", "");
  if (report.gone.length > 0)
    section(
      `Gone: ${plural(report.gone.length, "catalog model")} listed for ${report.region} that Bedrock no longer lists`,
      report.gone.map((id) => `  ${id}`).join("\n"),
    );
  else out.push("Gone: none.", "");
  const { missing: profilesMissing, gone: profilesGone } = report.profiles;
  if (profilesMissing.length + profilesGone.length > 0) {
    const lines: string[] = [];
    if (profilesMissing.length > 0)
      lines.push(
        "  Bedrock lists, the catalog lacks the prefix:",
        ...profilesMissing.map((id) => `    ${id}`),
      );
    if (profilesGone.length > 0)
      lines.push(
        `  The catalog has the prefix, Bedrock lists no such profile from ${report.region}:`,
        ...profilesGone.map((id) => `    ${id}`),
      );
    section("Profiles:", lines.join("\n"));
  } else out.push("Profiles: no differences.", "");
  if (report.regions.missing.length > 0)
    section(
      `Regions: Bedrock serves ${plural(report.regions.missing.length, "catalog model")} in ${report.region}, which their entries do not list`,
      report.regions.missing.map((id) => `  ${id}`).join("\n"),
    );
  if (report.retiredButListed.length > 0)
    section(
      `Still listed: ${plural(report.retiredButListed.length, "catalog model")} past the catalog's end of life that Bedrock lists in ${report.region}`,
      report.retiredButListed.map((id) => `  ${id}`).join("\n"),
    );
  if (report.ignored.length > 0) {
    const provisioned = report.ignored.filter(
      (model) => model.reason === "provisioned throughput only",
    ).length;
    const kinds = [
      ...(provisioned > 0 ? [`${provisioned} provisioned-throughput-only`] : []),
      ...(report.ignored.length > provisioned
        ? [`${report.ignored.length - provisioned} customization-only`]
        : []),
    ];
    out.push(
      `Left out: ${kinds.join(" and ")} ${report.ignored.length === 1 ? "entry" : "entries"} (--json lists them).`,
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function formatWriteOutcome(outcome: WriteOutcome, outDir: string, cwd: string): string {
  const lines: string[] = [];
  if (outcome.written.length > 0) {
    lines.push(`Wrote ${plural(outcome.written.length, "model")} (marked unverified):`);
    for (const model of outcome.written)
      lines.push(`  ${model.id} → ${model.file} (family ${model.family}, copied from ${model.like})`);
    lines.push(
      `Regenerated ${path.relative(cwd, outDir) || outDir}/ (${outcome.generatedFiles} files). Check each new entry against AWS's documentation before you commit.`,
    );
  } else lines.push("Wrote no model.");
  if (outcome.notWritten.length > 0) {
    lines.push(`Not written (${outcome.notWritten.length}):`);
    for (const model of outcome.notWritten) lines.push(`  ${model.id}: ${model.reason}`);
  }
  return `${lines.join("\n")}\n`;
}

async function runSync(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    region: { type: "string" },
    profile: { type: "string" },
    endpoint: { type: "string" },
    json: { type: "boolean" },
    write: { type: "boolean" },
    specs: { type: "string" },
    out: { type: "string" },
  });
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  checkRegionOption(values.region);
  if (values.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(values.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
      throw new UsageError(`--endpoint "${values.endpoint}" is not an http(s) URL`);
  }
  if (!values.write && (values.specs !== undefined || values.out !== undefined))
    throw new UsageError("--specs and --out are for --write");

  const flags = {
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
  };
  const regionGuess = flags.region ?? regionFromEnvironment(io.env);
  const target =
    flags.endpoint ??
    (regionGuess ? `https://bedrock.${regionGuess}.amazonaws.com` : "Bedrock's control plane");
  const write = values.write ? await writeTargets(values, io) : undefined;
  if (write === "unavailable") return 1;
  let listings: Listings;
  try {
    listings = await withStatus(io.stderr, "Reading Bedrock's model lists", () =>
      readBedrockLists(flags, io.env),
    );
  } catch (error) {
    io.stderr.write(`bedrock-forge sync: ${explainSyncFailure(error, target)}\n`);
    return 1;
  }
  const today = new Date().toISOString().slice(0, 10);
  const entries: CatalogEntry[] = modelIds.map((id) => catalog[id]);
  const report = compareCatalog({ ...listings, entries, today });

  let outcome: WriteOutcome | undefined;
  if (write) {
    const { writeMissingModels, specsDir, outDir } = write;
    outcome = await withStatus(io.stderr, "Scaffolding the missing models", () =>
      writeMissingModels({ report, entries, specsDir, outDir, today, cwd: io.cwd }),
    );
    if (outcome.problems !== undefined) {
      io.stderr.write(
        `${outcome.problems}\nbedrock-forge sync: the specs did not validate with the new models, so the specs and generated/ were left as they were.\n`,
      );
      if (values.json)
        io.stdout.write(`${JSON.stringify(toJson(report, entries, today, outcome), null, 2)}\n`);
      return 1;
    }
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(toJson(report, entries, today, outcome), null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatReport(report, entries, today));
  if (outcome && write) io.stdout.write(`\n${formatWriteOutcome(outcome, write.outDir, io.cwd)}`);
  return 0;
}

/**
 * What `--write` writes with and where, checked before Bedrock is asked: the generator (a checkout's), the
 * specs folder and an `--out` folder that holds only generator output.
 */
async function writeTargets(
  values: { specs?: string | undefined; out?: string | undefined },
  io: CommandIO,
): Promise<
  | {
      writeMissingModels: typeof import("../sync-write.js").writeMissingModels;
      specsDir: string;
      outDir: string;
    }
  | "unavailable"
> {
  let writeMissingModels: typeof import("../sync-write.js").writeMissingModels;
  let repositoryRoot: string;
  try {
    ({ writeMissingModels } = await import("../sync-write.js"));
    ({ repositoryRoot } = await import("../../generator/generate.js"));
  } catch (error) {
    io.stderr.write(
      `bedrock-forge sync: --write needs the generator, which runs only in a checkout of the repository (${(error as Error).message})\n`,
    );
    return "unavailable";
  }
  const outDir = path.resolve(io.cwd, values.out ?? path.join(repositoryRoot, "generated"));
  await requireGeneratorOutputFolder(outDir);
  return {
    writeMissingModels,
    specsDir: path.resolve(io.cwd, values.specs ?? path.join(repositoryRoot, "specs")),
    outDir,
  };
}

export const syncCommand: Command = {
  name: "sync",
  summary:
    "Compare the catalog with Bedrock's own model and profile lists for a Region (--write adds the missing)",
  help,
  run: runSync,
};
