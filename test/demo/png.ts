import { inflateSync } from "node:zlib";

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const channels: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Reads a PNG strictly: signature, every chunk's CRC, IHDR first and IEND last, and the inflated
 * image data's exact size for the header's width, height, bit depth and color type. Throws otherwise.
 */
export function readPng(bytes: Buffer): { width: number; height: number; colorType: number } {
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error("not a PNG: bad signature");
  let offset = 8;
  const types: string[] = [];
  const data: Buffer[] = [];
  let header: { width: number; height: number; depth: number; colorType: number } | undefined;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.subarray(offset + 4, offset + 8).toString("latin1");
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    const crc = bytes.readUInt32BE(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
    types.push(type);
    if (type === "IHDR")
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        depth: body[8]!,
        colorType: body[9]!,
      };
    if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  if (types[0] !== "IHDR" || types.at(-1) !== "IEND" || !header)
    throw new Error(`bad chunk order: ${types.join(",")}`);
  const pixels = inflateSync(Buffer.concat(data));
  const bitsPerPixel = header.depth * (channels[header.colorType] ?? Number.NaN);
  const expected = header.height * (1 + Math.ceil((header.width * bitsPerPixel) / 8));
  if (pixels.length !== expected)
    throw new Error(`image data is ${pixels.length} bytes, expected ${expected}`);
  return { width: header.width, height: header.height, colorType: header.colorType };
}
