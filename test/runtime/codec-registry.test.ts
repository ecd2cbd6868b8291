/**
 * The codec registries against the spec schema's codec names, at run time (the compiler checks the same at
 * build time; this catches a cast or a registry built by hand): every name of the schema's MessagesCodec
 * list has a runtime `messages` part and an emulator reader and writer, every StreamCodec name a `stream`
 * part on both sides, and nothing else is registered.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emulatorCodecs } from "../../emulator/codecs.js";
import { codecs } from "../../runtime/codecs/registry.js";

const schema = JSON.parse(
  readFileSync(new URL("../../specs/schema/family.schema.json", import.meta.url), "utf8"),
) as { $defs: Record<string, { enum: string[] }> };
const messagesNames = schema.$defs.MessagesCodec!.enum;
const streamNames = schema.$defs.StreamCodec!.enum;

describe("codec registries", () => {
  it("register exactly the schema's codec names", () => {
    const names = [...new Set([...messagesNames, ...streamNames])].sort();
    expect(Object.keys(codecs).sort()).toEqual(names);
    expect(Object.keys(emulatorCodecs).sort()).toEqual(names);
  });

  it.each(messagesNames)(
    "message codec %s: encode and decode, and the emulator's reader and writer",
    (name) => {
      const runtime = codecs[name as keyof typeof codecs].messages;
      const emulator = emulatorCodecs[name as keyof typeof emulatorCodecs].messages;
      expect(typeof runtime?.encode).toBe("function");
      expect(typeof runtime?.decode).toBe("function");
      expect(typeof emulator?.readChatView).toBe("function");
      expect(typeof emulator?.buildResponse).toBe("function");
    },
  );

  it.each(streamNames)("stream codec %s: a decoder, and the emulator's stream writer", (name) => {
    expect(typeof codecs[name as keyof typeof codecs].stream?.createDecoder).toBe("function");
    expect(typeof emulatorCodecs[name as keyof typeof emulatorCodecs].stream?.buildStream).toBe("function");
  });

  it("names only the parts a codec's lists call for", () => {
    for (const name of Object.keys(codecs) as (keyof typeof codecs)[]) {
      expect(codecs[name].messages !== undefined, `${name} messages`).toBe(messagesNames.includes(name));
      expect(codecs[name].stream !== undefined, `${name} stream`).toBe(streamNames.includes(name));
      expect(emulatorCodecs[name].messages !== undefined, `${name} emulator messages`).toBe(
        messagesNames.includes(name),
      );
      expect(emulatorCodecs[name].stream !== undefined, `${name} emulator stream`).toBe(
        streamNames.includes(name),
      );
    }
  });
});
