/** Reading Server-Sent Events as the proxy writes them (https://html.spec.whatwg.org/multipage/server-sent-events.html). */

/** One event: its `event:` name (undefined for unnamed `data:` events) and its data. */
export interface SseEvent {
  readonly name: string | undefined;
  readonly data: string;
}

/** The events of a whole SSE body, in order; every block must be `event:`/`data:` lines only. */
export function parseSseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block === "") continue;
    let name: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice("event: ".length);
      else if (line.startsWith("data: ")) data.push(line.slice("data: ".length));
      else throw new Error(`not an SSE line: ${JSON.stringify(line)}`);
    }
    events.push({ name, data: data.join("\n") });
  }
  return events;
}

/** Posts JSON and reads the whole SSE answer. */
export async function postForEvents(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; events: SseEvent[]; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    events: response.headers.get("content-type")?.startsWith("text/event-stream") ? parseSseEvents(text) : [],
  };
}
