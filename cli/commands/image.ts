import path from "node:path";
import { uncheckedModel } from "../../runtime/model-ref.js";
import {
  connectionHelp,
  connectionOptions,
  parseCommandArgs,
  parseNonNegativeInteger,
  parseParams,
  parsePositiveInteger,
  parseSize,
} from "../args.js";
import { type Command, UsageError } from "../command.js";
import { connect } from "../connect.js";
import { formatCost } from "../format.js";
import { checkOutputFile, writeOutputFile } from "../output-file.js";

const help = `Usage: bedrock-forge image "<prompt>" --model <id> --out <file.png> [options]

Generates an image and writes it to a file; the size and cost go to stderr.

Options:
  -m, --model ID          Image model id (required); \`bedrock-forge models --operation images\`.
  -o, --out FILE          Where to write the image (required). With --n above 1, later images get
                          -2, -3 … before the extension. An existing file is refused (before the
                          call is made) unless --force.
      --force             Replace existing files.
      --size WxH          Image size, e.g. 1024x1024 (models with aspect ratios get the nearest one).
      --seed N            Seed, for repeatable images.
      --n N               How many images (where the model makes more than one).
  -p, --param KEY=VALUE   A request param, repeatable: negative_prompt=blurry, quality=premium, cfg_scale=7.
      --json              Print the result (without the image data) as JSON.
  -h, --help              Show this help.

${connectionHelp}

Exit codes: 0 written, 1 the call failed (or the image was filtered), 2 bad usage or a request the
model cannot take.

Examples:
  bedrock-forge image "a lighthouse at dawn" --model amazon.titan-image-generator-v2:0 --out lighthouse.png --offline
  bedrock-forge image "an otter" --model stability.stable-diffusion-xl-v1 --size 1024x1024 --seed 7 --out otter.png --force
`;

/** `out.png`, `out-2.png`, `out-3.png` … */
function numberedPath(file: string, index: number): string {
  if (index === 0) return file;
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}-${index + 1}${extension}`;
}

/** A path relative to the working directory when it is inside it, else absolute. */
function displayPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** Names the image format from its first bytes, for the summary line. */
function imageFormat(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return bytes.length >= 24 ? `PNG ${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}` : "PNG";
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "JPEG";
  return "image";
}

export const imageCommand: Command = {
  name: "image",
  summary: "Generate an image with a Bedrock image model and write it to a file",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        model: { type: "string", short: "m" },
        out: { type: "string", short: "o" },
        size: { type: "string" },
        seed: { type: "string" },
        n: { type: "string" },
        param: { type: "string", short: "p", multiple: true },
        json: { type: "boolean" },
        force: { type: "boolean" },
        ...connectionOptions,
      },
      { positionals: true },
    );
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("a prompt is required");
    if (positionals.length > 1)
      throw new UsageError(`one prompt only (got ${positionals.length}); quote it: image "your prompt"`);
    if (!values.model) throw new UsageError("--model is required");
    if (!values.out) throw new UsageError("--out is required: the file to write the image to");
    const size = parseSize(values.size);
    const seed = parseNonNegativeInteger(values.seed, "seed");
    const count = parsePositiveInteger(values.n, "n");
    const params = parseParams(values.param);

    // Every path is checked before the (billed) call: one that cannot take the image fails for free.
    const target = path.resolve(io.cwd, values.out);
    const force = values.force === true;
    const labelOf = (file: string) => `--out ${displayPath(io.cwd, file)}`;
    for (let index = 0; index < (count ?? 1); index++) {
      const file = numberedPath(target, index);
      await checkOutputFile(file, { force, label: labelOf(file) });
    }
    const connection = await connect(values, io.env);
    try {
      const response = await connection.bedrock.images.generate({
        ...params,
        model: uncheckedModel(values.model),
        prompt: positionals[0]!,
        ...(size !== undefined ? { size } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(count !== undefined ? { n: count } : {}),
      });
      const written: { file: string; format: string; bytes: number; seed?: number }[] = [];
      for (const [index, image] of response.data.entries()) {
        const bytes = Buffer.from(image.b64_json, "base64");
        const file = numberedPath(target, index);
        await writeOutputFile(file, bytes, { force, label: labelOf(file) });
        written.push({
          file: displayPath(io.cwd, file),
          format: imageFormat(bytes),
          bytes: bytes.length,
          ...(image.seed !== undefined ? { seed: image.seed } : {}),
        });
      }
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ created: response.created, model: response.model, files: written, usage: response.usage }, null, 2)}\n`,
        );
        return 0;
      }
      for (const image of written)
        io.stdout.write(
          `${image.file}  ${image.format}, ${image.bytes} bytes${image.seed !== undefined ? `, seed ${image.seed}` : ""}\n`,
        );
      io.stderr.write(
        `${response.usage.images} image${response.usage.images === 1 ? "" : "s"} · cost: ${formatCost(response.usage.cost)}\n`,
      );
      return 0;
    } finally {
      await connection.close();
    }
  },
};
