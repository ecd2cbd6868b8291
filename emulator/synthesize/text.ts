/**
 * Deterministic text for synthesized answers: the same request always gets the same words, token counts
 * and ids. "Tokens" here are word and punctuation pieces (each keeps its leading whitespace), which is
 * close enough to real tokenizers for usage numbers and lets streams split on token boundaries.
 */
import { createHash } from "node:crypto";

const TOKEN_PATTERN = /\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])/gu;
/** The same pattern for ASCII text (where `\w` is exactly letters, digits and `_`), several times faster. */
const ASCII_TOKEN_PATTERN = /\s*(?:\w+|[^\s\w])/g;
const NON_ASCII = /[^\x00-\x7f]/;

/** Splits text into pieces that concatenate back to it (leading whitespace stays with each piece). */
export function splitTokens(text: string): string[] {
  const pieces = text.match(NON_ASCII.test(text) ? TOKEN_PATTERN : ASCII_TOKEN_PATTERN) ?? [];
  const joined = pieces.join("");
  // Trailing whitespace has no token of its own; keep it on the last piece so pieces rebuild the text.
  if (joined.length < text.length) {
    if (pieces.length === 0) return text.length > 0 ? [text] : [];
    pieces[pieces.length - 1] += text.slice(joined.length);
  }
  return pieces;
}

/** The number of tokens the emulator charges for a text (at least 1 for non-empty text). */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const pattern = NON_ASCII.test(text) ? TOKEN_PATTERN : ASCII_TOKEN_PATTERN;
  return Math.max(1, (text.match(pattern) ?? []).length);
}

const FILLER = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"];

function quote(text: string): string {
  const collapsed = text.replace(/\s+/g, " ").trim();
  return collapsed.length > 60 ? `${collapsed.slice(0, 57)}...` : collapsed;
}

/** The answer the emulator gives to a user text (quoting it), lengthened to `minTokens` tokens when asked. */
export function composeAnswer(userText: string, minTokens = 0): string {
  const quoted = quote(userText);
  let answer = quoted
    ? `This is a synthesized reply to "${quoted}".`
    : "This is a synthesized reply from the Bedrock emulator.";
  // Each filler word (letters after a space) is exactly one more token.
  for (let tokens = countTokens(answer), index = 0; tokens < minTokens; tokens++, index++) {
    answer += ` ${FILLER[index % FILLER.length]}`;
  }
  return answer;
}

/** The reasoning the emulator gives models that send reasoning: a sentence about the user text. */
export function composeReasoning(userText: string): string {
  const quoted = quote(userText);
  return quoted
    ? `The user wrote "${quoted}"; I will quote it back.`
    : "There is no user text; I will say so.";
}

/** The first `maxTokens` tokens of a text. */
export function truncateTokens(text: string, maxTokens: number): string {
  return splitTokens(text).slice(0, Math.max(0, maxTokens)).join("");
}

/**
 * Splits a text into `count` consecutive pieces (on token boundaries when there are enough tokens,
 * otherwise on characters). Pieces concatenate back to the text; none is empty unless the text is.
 */
export function splitIntoChunks(text: string, count: number): string[] {
  if (text.length === 0) return [""];
  const target = Math.max(1, Math.floor(count));
  let units = splitTokens(text);
  if (units.length < target) units = Array.from(text);
  const pieces = Math.min(target, units.length);
  const result: string[] = [];
  for (let index = 0; index < pieces; index++) {
    const start = Math.floor((index * units.length) / pieces);
    const end = Math.floor(((index + 1) * units.length) / pieces);
    result.push(units.slice(start, end).join(""));
  }
  return result;
}

/** A short stable hex digest of a value, for deterministic ids. */
export function digest(value: unknown, length = 24): string {
  return createHash("sha256")
    .update(typeof value === "string" ? value : (JSON.stringify(value) ?? ""))
    .digest("hex")
    .slice(0, length);
}

/** A deterministic id in base62-ish form with a prefix (`msg_bdrk_…`, `toolu_bdrk_…`). */
export function deterministicId(prefix: string, value: unknown): string {
  const hex = digest(value, 32);
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let number = BigInt(`0x${hex}`);
  let text = "";
  while (text.length < 24) {
    text += alphabet[Number(number % 62n)];
    number /= 62n;
  }
  return `${prefix}${text}`;
}

/** A deterministic UUID-shaped id. */
export function deterministicUuid(value: unknown): string {
  const hex = digest(value, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
