import { readFile } from "node:fs/promises";
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
       bedrock-forge image ["<prompt>"] --edit <image> [--mask <mask.png>] --model <id> --out <file.png> [options]

Generates an image, or edits one (--edit), and writes it to a file; the size and cost go to stderr.

Options:
  -m, --model ID          Image model id (required); \`bedrock-forge models --operation images\`, or
                          \`--operation images-edit\` with --edit.
      --edit FILE         Edit this image (PNG, JPEG or WebP) instead of generating one; repeat it for a
                          model that takes several (style transfer: the image, then the style image).
                          The prompt is optional for models that take none (remove background, fast
                          upscale, erase object).
      --mask FILE         With --edit: where to edit (white: edit, black: keep), for models that take one.
  -o, --out FILE          Where to write the image (required). With --n above 1, later images get
                          -2, -3 … before the extension. An existing file is refused (before the
                          call is made) unless --force.
      --force             Replace existing files.
      --size WxH          Image size, e.g. 1024x1024 (models with aspect ratios get the nearest one).
      --seed N            Seed, for repeatable images.
      --n N               How many images (where the model makes more than one).
  -p, --param KEY=VALUE   A request param, repeatable: negative_prompt=blurry, quality=premium, cfg_scale=7,
                          search_prompt=cat, left=200.
      --json              Print the result (without the image data) as JSON.
  -h, --help              Show this help.

${connectionHelp}

Exit codes: 0 written, 1 the call failed (or the image was filtered), 2 bad usage or a request the
model cannot take.

Examples:
  bedrock-forge image "a lighthouse at dawn" --model amazon.titan-image-generator-v2:0 --out lighthouse.png --offline
  bedrock-forge image "an otter" --model stability.stable-diffusion-xl-v1 --size 1024x1024 --seed 7 --out otter.png --force
  bedrock-forge image "a red door" --edit house.png --mask door.png --model stability.stable-image-inpaint-v1:0 --out door.png
  bedrock-forge image --edit photo.jpg --model stability.stable-image-remove-background-v1:0 --out cutout.png
`;

/** A file's bytes; one that cannot be read is a usage error naming the option and the file. */
async function readImageFile(cwd: string, file: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path.resolve(cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read --${option} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder" : (error as Error).message}`,
    );
  }
}

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
  summary: "Generate or edit an image with a Bedrock image model and write it to a file",
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
        edit: { type: "string", multiple: true },
        mask: { type: "string" },
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
    const editing = values.edit !== undefined;
    if (positionals.length === 0 && !editing) throw new UsageError("a prompt is required");
    if (positionals.length > 1)
      throw new UsageError(`one prompt only (got ${positionals.length}); quote it: image "your prompt"`);
    if (values.mask !== undefined && !editing) throw new UsageError("--mask needs --edit: the image to edit");
    if (!values.model) throw new UsageError("--model is required");
    if (!values.out) throw new UsageError("--out is required: the file to write the image to");
    const size = parseSize(values.size);
    const seed = parseNonNegativeInteger(values.seed, "seed");
    const count = parsePositiveInteger(values.n, "n");
    const params = parseParams(values.param, [
      "model",
      "messages",
      "stream",
      "input",
      "prompt",
      "image",
      "mask",
    ]);
    const inputs = await Promise.all((values.edit ?? []).map((file) => readImageFile(io.cwd, file, "edit")));
    const mask = values.mask !== undefined ? await readImageFile(io.cwd, values.mask, "mask") : undefined;

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
      const common = {
        ...params,
        model: uncheckedModel(values.model),
        ...(size !== undefined ? { size } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(count !== undefined ? { n: count } : {}),
      };
      const response = editing
        ? await connection.bedrock.images.edit({
            ...common,
            image: inputs.length === 1 ? inputs[0]! : inputs,
            ...(mask !== undefined ? { mask } : {}),
            ...(positionals[0] !== undefined ? { prompt: positionals[0] } : {}),
          })
        : await connection.bedrock.images.generate({ ...common, prompt: positionals[0]! });
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
