import type { Output } from "./command.js";

/** USD with enough digits to see a fraction of a cent: `$0.0000125`; `n/a` when the catalog has no price. */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "n/a (no price in the catalog)";
  if (cost === 0) return "$0";
  if (cost >= 0.01) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(10).replace(/0+$/, "")}`;
}

/** A price per million tokens: `$0.25`, `—` when absent. */
export function formatPrice(usd: number | undefined): string {
  if (usd === undefined) return "—";
  if (Number.isInteger(usd)) return `$${usd}`;
  if (usd < 0.01) return `$${usd.toFixed(10).replace(/0+$/, "")}`;
  const [whole, fraction = ""] = usd.toFixed(4).replace(/0+$/, "").split(".");
  return `$${whole}.${fraction.padEnd(2, "0")}`;
}

/** Thousands grouped with a thin comma: 200000 → 200,000; `—` when absent. */
export function formatCount(value: number | undefined): string {
  return value === undefined ? "—" : value.toLocaleString("en-US");
}

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n") + "\n";
}

/** Progress on a terminal (`label 3/10` redrawn in place); nothing at all when the output is piped. */
export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

export function createProgress(output: Output, label: string): Progress {
  if (!output.isTTY) return { update() {}, done() {} };
  let drawn = false;
  return {
    update(done, total) {
      output.write(`\r${label} ${done}/${total}`);
      drawn = true;
    },
    done() {
      if (drawn) output.write("\r\u001b[2K");
      drawn = false;
    },
  };
}

/** A one-line status on a terminal while `work` runs (cleared afterwards); silent when piped. */
export async function withStatus<T>(output: Output, text: string, work: () => Promise<T>): Promise<T> {
  if (!output.isTTY) return work();
  output.write(`${text}…`);
  try {
    return await work();
  } finally {
    output.write("\r\u001b[2K");
  }
}
