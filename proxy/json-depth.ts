/**
 * How deep a request body may nest. Real requests nest a few levels (a tool's JSON Schema perhaps 20);
 * bodies nested tens of thousands of levels make recursive code (the SDK's serializers, JSON.stringify,
 * schema validators) overflow the stack. Checked on the text, before it is parsed.
 */
export const maxJsonDepth = 128;

const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

/**
 * The offset of the bracket where JSON text first nests deeper than `maxDepth` (objects and arrays), or
 * undefined. Brackets inside strings do not count. Linear in the text, no recursion, no allocation.
 */
export function findExcessiveNesting(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === backslash) index++;
      else if (code === quote) inString = false;
    } else if (code === quote) {
      inString = true;
    } else if (code === openBrace || code === openBracket) {
      depth++;
      if (depth > maxDepth) return index;
    } else if (code === closeBrace || code === closeBracket) {
      depth--;
    }
  }
  return undefined;
}
