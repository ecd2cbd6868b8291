/**
 * Derives the body shapes of Converse, ConverseStream and CountTokens requests from the Bedrock Runtime
 * service model (botocore JSON form) into emulator/converse-shapes.ts, which the emulator validates
 * Converse requests with. Run:
 *   npx tsx emulator/scripts/derive-converse-shapes.ts path/to/bedrock-runtime-service-model.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface RawMember {
  shape: string;
  location?: string;
}
interface RawShape {
  type: string;
  members?: Record<string, RawMember>;
  member?: RawMember;
  key?: RawMember;
  value?: RawMember;
  required?: string[];
  union?: boolean;
  document?: boolean;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

const ROOTS = ["ConverseRequest", "ConverseStreamRequest", "CountTokensRequest"];

function derive(modelPath: string): string {
  const model = JSON.parse(readFileSync(modelPath, "utf8")) as { shapes: Record<string, RawShape> };
  const output: Record<string, unknown> = {};
  const visit = (name: string): void => {
    if (name in output) return;
    const raw = model.shapes[name];
    if (!raw) throw new Error(`shape ${name} missing`);
    const shape: Record<string, unknown> = { type: raw.document ? "document" : raw.type };
    output[name] = shape;
    if (raw.members && !raw.document) {
      const members: Record<string, string> = {};
      for (const [memberName, member] of Object.entries(raw.members).sort(([a], [b]) => a.localeCompare(b))) {
        if (member.location) continue; // URI and header members are not in the body.
        members[memberName] = member.shape;
        visit(member.shape);
      }
      shape.members = members;
      const required = (raw.required ?? []).filter((member) => member in members);
      if (required.length > 0) shape.required = required;
      if (raw.union) shape.union = true;
    }
    if (raw.member) {
      shape.member = raw.member.shape;
      visit(raw.member.shape);
    }
    if (raw.key && raw.value) {
      shape.key = raw.key.shape;
      shape.value = raw.value.shape;
      visit(raw.key.shape);
      visit(raw.value.shape);
    }
    for (const field of ["enum", "min", "max"] as const)
      if (raw[field] !== undefined) shape[field] = raw[field];
  };
  for (const root of ROOTS) visit(root);
  const sorted = Object.fromEntries(Object.entries(output).sort(([a], [b]) => a.localeCompare(b)));
  return `// Derived from the Bedrock Runtime service model (bedrock-runtime 2023-09-30) by
// emulator/scripts/derive-converse-shapes.ts. Do not edit; rerun the script instead.

/** A shape of the service model, reduced to what request validation needs. */
export interface ServiceShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  readonly union?: boolean;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** The shapes reachable from ${ROOTS.join(", ")}. */
export const converseShapes: Readonly<Record<string, ServiceShape>> = ${JSON.stringify(sorted, null, 2)};
`;
}

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const modelPath =
  process.argv[2] ?? path.join(root, "test", "reference", "bedrock-runtime-service-model.json");
const target = path.join(root, "emulator", "converse-shapes.ts");
writeFileSync(target, derive(modelPath));
process.stdout.write(`wrote ${target}\n`);
