/** A minimal PNG encoder (8-bit RGB, no interlace) on node:zlib, enough for valid, small test images. */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC), as PNG chunks use it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let index = start; index < end; index++) crc = CRC_TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const buffer = Buffer.alloc(12 + data.length);
  buffer.writeUInt32BE(data.length, 0);
  buffer.write(type, 4, "ascii");
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(buffer, 8);
  buffer.writeUInt32BE(crc32(buffer, 4, 8 + data.length), 8 + data.length);
  return buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A PNG of the given size: a vertical gradient between two colors derived from `seed`. Every row is the
 * same byte pattern but one, so the image compresses to a few hundred bytes even at 1024×1024.
 */
export function encodePng(width: number, height: number, seed: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // color type: RGB
  header[10] = 0;
  header[11] = 0;
  header[12] = 0;
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  const red = seed & 0xff;
  const green = (seed >>> 8) & 0xff;
  const blue = (seed >>> 16) & 0xff;
  for (let y = 0; y < height; y++) {
    const offset = y * stride;
    raw[offset] = 0; // filter: none
    const shade = Math.floor((y * 255) / Math.max(1, height - 1));
    for (let x = 0; x < width; x++) {
      const pixel = offset + 1 + x * 3;
      raw[pixel] = (red + shade) & 0xff;
      raw[pixel + 1] = green;
      raw[pixel + 2] = (blue + (x & 0x3f)) & 0xff;
    }
  }
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 6 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Reads width and height from a PNG (for tests and checks). */
export function readPngSize(png: Uint8Array): { width: number; height: number } | undefined {
  const buffer = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(SIGNATURE)) return undefined;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}
