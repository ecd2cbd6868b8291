/**
 * Tool names on Converse, as LiteLLM writes them (litellm/litellm_core_utils/prompt_templates/factory.py
 * `make_valid_bedrock_tool_name`, tested by tests/llm_translation/test_bedrock_completion.py
 * test_bedrock_tools_pt_invalid_names): a name that does not start with a letter gets an "a" in front, and
 * every character other than a letter, a digit or an underscore becomes an underscore. Answers carry the
 * rewritten name; the caller gets its own name back.
 */

/** The name LiteLLM sends to Converse for a tool name. */
export function sanitizeToolName(name: string): string {
  const prefixed = /^[A-Za-z]/.test(name) ? name : `a${name}`;
  return prefixed.replace(/[^A-Za-z0-9_]/g, "_");
}

/** The caller's name for a tool name an answer carries (unchanged when it was never rewritten). */
export function restoreToolName(name: string, names: ReadonlyMap<string, string> | undefined): string {
  return names?.get(name) ?? name;
}
