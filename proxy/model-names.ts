/**
 * LiteLLM's wildcard model names (`model_name: "bedrock/*"`, `"*"`): which configured pattern a
 * requested name matches, and the Bedrock model its deployments then call. The rules are LiteLLM's
 * `PatternMatchRouter` (litellm/router_utils/pattern_match_deployments.py):
 *
 * - a pattern is the name with `re.escape` applied and each `*` made a group `(.*)`, matched from the
 *   start of the requested name (Python's `re.match`);
 * - patterns are tried most specific first: the longest regex, then the one with more regex syntax;
 * - a deployment's `litellm_params.model` without `*` is used as it is; otherwise each `*` is replaced,
 *   in order, by the text the pattern's groups matched — unless the pattern has more groups than the
 *   model has `*`, when the requested name itself is the model.
 */

/** Characters Python's `re.escape` escapes (3.7+). */
const pythonSpecial = new Set("()[]{}?*+-|^$\\.&~# \t\n\r\v\f");

/** Characters LiteLLM counts as a regex's complexity (`calculate_pattern_specificity`). */
const complexityChars = ["*", "+", "?", "\\", "^", "$", "|", "(", ")"];

export function isWildcardName(name: string): boolean {
  return name.includes("*");
}

/** The regex source LiteLLM builds for a pattern: `re.escape(pattern)` with `\*` as `(.*)`. */
export function patternSource(pattern: string): string {
  let source = "";
  for (const character of pattern) {
    if (character === "*") source += "(.*)";
    else source += pythonSpecial.has(character) ? `\\${character}` : character;
  }
  return source;
}

/** A compiled wildcard model name. */
export interface WildcardPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly length: number;
  readonly complexity: number;
}

export function compileWildcard(name: string): WildcardPattern {
  const source = patternSource(name);
  let complexity = 0;
  for (const character of source) if (complexityChars.includes(character)) complexity++;
  // Anchored at the start only, as Python's re.match is.
  return { name, regex: new RegExp(`^${source}`, "s"), length: source.length, complexity };
}

/** Patterns most specific first (longer regex, then more complex); ties keep config order. */
export function sortBySpecificity(patterns: readonly WildcardPattern[]): WildcardPattern[] {
  return [...patterns].sort((a, b) => b.length - a.length || b.complexity - a.complexity);
}

/** The first pattern (most specific first) matching a requested name, with what its groups matched. */
export function matchWildcard(
  patterns: readonly WildcardPattern[],
  requested: string,
): { readonly pattern: WildcardPattern; readonly match: RegExpExecArray } | undefined {
  for (const pattern of patterns) {
    const match = pattern.regex.exec(requested);
    if (match) return { pattern, match };
  }
  return undefined;
}

/** The model a wildcard deployment calls for one request (LiteLLM's `set_deployment_model_name`). */
export function substituteWildcard(template: string, match: RegExpExecArray): string {
  if (!template.includes("*")) return template;
  const segments = match.slice(1);
  const wildcards = template.split("*").length - 1;
  if (segments.length > wildcards) return match.input;
  let model = template;
  for (const segment of segments) model = model.replace("*", () => segment ?? "");
  return model;
}
