/**
 * Indents json-schema-to-typescript's unformatted declarations (it writes them flush left when it is
 * not asked to run prettier) exactly as TypeScript's formatter did, without loading a compiler: two
 * spaces per open bracket line, block comments shifted with their first line, and one space on each
 * side of a `|` between types (`[]|[string]` → `[] | [string]`). Trailing spaces are not kept.
 *
 * It knows the shapes that tool writes and nothing else: text outside them (a template literal, a
 * line comment, an unclosed string or bracket…) gives `undefined`, and the caller formats it with the
 * compiler instead.
 */

const openers = new Set(["{", "(", "["]);
const closers: Readonly<Record<string, string>> = { "}": "{", ")": "(", "]": "[" };

/** The formatter's indentation of a nesting level. */
function spaces(count: number): string {
  return " ".repeat(Math.max(0, count));
}

/** The column of a line's first character that is not a space (its length when there is none). */
function leadingSpaces(line: string): number {
  const match = /^ */.exec(line);
  return match ? match[0].length : 0;
}

/** State carried from line to line. */
interface Scan {
  /** For each open bracket: the bracket and the indentation level of the line that opened it. */
  readonly open: { bracket: string; level: number }[];
  /** While inside a block comment: how far its lines move (new column minus old column). */
  commentShift: number | undefined;
}

/**
 * Re-indents one code line (not inside a block comment) at `level`, spacing its `|`s, and updates the
 * open brackets. Returns undefined when the line holds something outside the known shapes.
 */
function indentCodeLine(line: string, scan: Scan): string | undefined {
  const text = line.trimStart();
  const first = text[0] ?? "";
  const top = scan.open.at(-1);
  const level = Object.hasOwn(closers, first) ? (top?.level ?? 0) : top ? top.level + 1 : 0;
  let out = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"' || char === "'") {
      const end = endOfString(text, index);
      if (end === undefined) return undefined;
      out += text.slice(index, end);
      index = end;
      continue;
    }
    if (char === "`") return undefined;
    if (char === "/" && text[index + 1] === "/") return undefined;
    if (char === "/" && text[index + 1] === "*") {
      const close = text.indexOf("*/", index + 2);
      if (close === -1) {
        // A block comment that goes on (first on its line): its later lines move as far as it did.
        if (out !== "") return undefined;
        scan.commentShift = 2 * level - (line.length - text.length);
        out += text.slice(index);
        index = text.length;
        continue;
      }
      out += text.slice(index, close + 2);
      index = close + 2;
      continue;
    }
    if (char === "|" || char === "&") {
      if (out.length > 0 && !out.endsWith(" ")) out += " ";
      out += char;
      if (text[index + 1] !== undefined && text[index + 1] !== " ") out += " ";
      index += 1;
      continue;
    }
    if (char === " " && (out === "" || out.endsWith(" "))) return undefined;
    if (openers.has(char)) {
      // A tuple's next element opened on the line that closes the one before (`}, {`): TypeScript's
      // formatter indents its closing line one level deeper, a rule not copied here (no spec has one).
      if (Object.hasOwn(closers, first) && out.trimEnd().endsWith(",")) return undefined;
      scan.open.push({ bracket: char, level });
    }
    const opener = closers[char];
    if (opener !== undefined) {
      if (scan.open.pop()?.bracket !== opener) return undefined;
    }
    out += char;
    index += 1;
  }
  return `${spaces(2 * level)}${out}`.trimEnd();
}

/** The index just past the string literal that starts at `start`, or undefined when it does not end on its line. */
function endOfString(text: string, start: number): number | undefined {
  const quote = text[start];
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index];
    if (char === "\\") index += 1;
    else if (char === quote) return index + 1;
  }
  return undefined;
}

/** Indents json-schema-to-typescript output like TypeScript's formatter, or undefined for unknown shapes. */
export function indentDeclarations(code: string): string | undefined {
  if (code.includes("\t") || code.includes("\r")) return undefined;
  const scan: Scan = { open: [], commentShift: undefined };
  const lines: string[] = [];
  for (const line of code.split("\n")) {
    if (scan.commentShift !== undefined) {
      const shift = scan.commentShift;
      const close = line.indexOf("*/");
      if (close === -1) {
        lines.push(`${spaces(leadingSpaces(line) + shift)}${line.trimStart()}`.trimEnd());
        continue;
      }
      // The comment ends here; code after it on the same line is outside the known shapes.
      if (line.slice(close + 2).trim() !== "") return undefined;
      scan.commentShift = undefined;
      lines.push(`${spaces(leadingSpaces(line) + shift)}${line.trimStart()}`.trimEnd());
      continue;
    }
    if (line.trim() === "") {
      lines.push("");
      continue;
    }
    const indented = indentCodeLine(line, scan);
    if (indented === undefined) return undefined;
    lines.push(indented);
  }
  if (scan.open.length > 0 || scan.commentShift !== undefined) return undefined;
  return lines.join("\n").trimEnd();
}
