/**
 * Fetching of http(s) image URLs in chat messages, as LiteLLM does for Bedrock (which takes bytes, not
 * URLs): a GET that follows redirects, with a size cap, a timeout, and no access to private, loopback or
 * link-local addresses unless allowed. Every host name is resolved first, every address it resolves to is
 * checked, and the connection is pinned to the checked address (no second resolution can swap it).
 */
import type { IncomingMessage } from "node:http";
import { request as requestHttp } from "node:http";
import { request as requestHttps } from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * The largest image a URL may deliver: LiteLLM's `MAX_IMAGE_URL_DOWNLOAD_SIZE_MB` default (50 MB).
 * https://docs.litellm.ai/docs/proxy/config_settings (MAX_IMAGE_URL_DOWNLOAD_SIZE_MB)
 */
export const defaultMaxImageBytes = 50 * 1024 * 1024;
/** How long one image fetch may take, redirects included. */
export const defaultImageFetchTimeoutMs = 10_000;
/** How many redirects one image fetch follows. */
export const maxImageRedirects = 5;

/** Settings of the built-in image fetcher. */
export interface ImageFetchOptions {
  /** Milliseconds one fetch may take, redirects included (default 10 000). */
  readonly timeoutMs?: number;
  /** Bytes one image may have (default 50 MB, LiteLLM's limit). */
  readonly maxBytes?: number;
  /** Let image URLs reach private, loopback and link-local addresses (off by default; for tests and private networks). */
  readonly allowPrivateAddresses?: boolean;
}

/** What a fetch delivered: the bytes and the content type the server named (empty when it named none). */
export interface FetchedImage {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/** A fetch that failed; its message names the URL and the reason. */
export class ImageFetchError extends Error {
  override readonly name = "ImageFetchError";
}

/**
 * Address ranges an image URL may not reach by default (RFC 6890 special-purpose ranges that are not global),
 * built on first use: the package entry exports this module, and most processes never fetch an image.
 */
let privateRanges: BlockList | undefined;

function createPrivateRanges(): BlockList {
  const ranges = new BlockList();
  const ipv4: [string, number][] = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  const ipv6: [string, number][] = [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ];
  for (const [network, prefix] of ipv4) ranges.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of ipv6) ranges.addSubnet(network, prefix, "ipv6");
  return ranges;
}

/** True for loopback, private, link-local, shared, multicast and reserved addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  privateRanges ??= createPrivateRanges();
  return privateRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

interface CheckedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves the URL's host and checks every address it names; the first one is where the connection goes. */
async function resolveCheckedAddress(url: URL, options: ImageFetchOptions): Promise<CheckedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literalFamily = isIP(host);
  let addresses: CheckedAddress[];
  if (literalFamily !== 0) {
    addresses = [{ address: host, family: literalFamily }];
  } else {
    try {
      // Imported here, not at the top: the resolver module costs a cold start about 1 ms, for image URLs only.
      const { lookup } = await import("node:dns/promises");
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new ImageFetchError(`could not resolve ${host}: ${(error as Error).message}`);
    }
  }
  const first = addresses[0];
  if (!first) throw new ImageFetchError(`${host} resolves to no address`);
  if (!options.allowPrivateAddresses) {
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) {
      throw new ImageFetchError(
        `${host} resolves to ${blocked.address}, a loopback, private or link-local address; image URLs may not reach those (not allowed unless imageFetch.allowPrivateAddresses is set)`,
      );
    }
  }
  return first;
}

function requireHttpScheme(url: URL): void {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ImageFetchError(`only http and https URLs are fetched (got ${url.protocol})`);
  }
}

/** One GET to the checked address; the caller owns (and must consume or destroy) the answer. */
function sendRequest(url: URL, target: CheckedAddress, signal: AbortSignal): Promise<IncomingMessage> {
  const send = url.protocol === "https:" ? requestHttps : requestHttp;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "GET",
        signal,
        headers: { accept: "image/*, application/pdf;q=0.9, */*;q=0.5" },
        // The connection goes to the address that was checked, whatever DNS says now.
        lookup: (_host, lookupOptions, callback) => {
          if ((lookupOptions as { all?: boolean }).all) {
            (callback as (error: null, addresses: CheckedAddress[]) => void)(null, [target]);
          } else {
            callback(null, target.address, target.family);
          }
        },
      },
      resolve,
    );
    request.on("error", reject);
    request.end();
  });
}

/** The answer's body, refused as soon as it passes the cap (by Content-Length or by counting). */
async function readCappedBody(response: IncomingMessage, url: string, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new ImageFetchError(`${url} is larger than the ${formatSize(maxBytes)} limit for image URLs`);
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 100) / 100} MB` : `${bytes} bytes`;
}

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Follows the URL (and its redirects, each one checked like the first) to an answer with a body. */
async function fetchFollowingRedirects(
  start: URL,
  options: ImageFetchOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    requireHttpScheme(url);
    const target = await resolveCheckedAddress(url, options);
    const response = await sendRequest(url, target, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!redirectStatuses.has(status) || location === undefined) return response;
    response.resume();
    if (redirects >= maxImageRedirects)
      throw new ImageFetchError(`more than ${maxImageRedirects} redirects (last to ${location})`);
    url = new URL(location, url);
  }
}

/**
 * Fetches an image URL: http(s) only, redirects followed (at most 5), each address checked, the body
 * capped at `maxBytes` and the whole fetch at `timeoutMs`. Errors are `ImageFetchError`s naming the reason.
 */
export async function fetchImageUrl(url: string, options: ImageFetchOptions = {}): Promise<FetchedImage> {
  const timeoutMs = options.timeoutMs ?? defaultImageFetchTimeoutMs;
  const maxBytes = options.maxBytes ?? defaultMaxImageBytes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageFetchError(`${url} is not a valid URL`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchFollowingRedirects(parsed, options, controller.signal);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.resume();
      throw new ImageFetchError(`${url} answered HTTP ${status}`);
    }
    const bytes = await readCappedBody(response, url, maxBytes);
    const contentType = response.headers["content-type"] ?? "";
    return { bytes, mediaType: contentType.split(";")[0]?.trim().toLowerCase() ?? "" };
  } catch (error) {
    if (controller.signal.aborted) throw new ImageFetchError(`${url} did not answer within ${timeoutMs} ms`);
    if (error instanceof ImageFetchError) throw error;
    throw new ImageFetchError(`${url} could not be fetched: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Leading bytes of the formats Bedrock takes, for answers that name no (or a generic) content type. */
const signatures: readonly {
  readonly mediaType: string;
  readonly matches: (bytes: Uint8Array) => boolean;
}[] = [
  { mediaType: "image/png", matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mediaType: "image/jpeg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { mediaType: "image/gif", matches: (b) => startsWithText(b, "GIF87a") || startsWithText(b, "GIF89a") },
  {
    mediaType: "image/webp",
    matches: (b) => startsWithText(b, "RIFF") && Buffer.from(b.subarray(8, 12)).toString("latin1") === "WEBP",
  },
  { mediaType: "application/pdf", matches: (b) => startsWithText(b, "%PDF-") },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}

function startsWithText(bytes: Uint8Array, prefix: string): boolean {
  return Buffer.from(bytes.subarray(0, prefix.length)).toString("latin1") === prefix;
}

/** The media type the bytes' signature shows (png, jpeg, gif, webp, pdf), or undefined. */
export function detectMediaType(bytes: Uint8Array): string | undefined {
  return signatures.find((signature) => signature.matches(bytes))?.mediaType;
}

const genericMediaTypes: ReadonlySet<string> = new Set([
  "",
  "application/octet-stream",
  "binary/octet-stream",
]);

/** The content type a server named, or the bytes' signature when it named none or a generic one. */
export function resolveFetchedMediaType(fetched: FetchedImage): string | undefined {
  const named = fetched.mediaType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!genericMediaTypes.has(named)) return named;
  return detectMediaType(fetched.bytes);
}
