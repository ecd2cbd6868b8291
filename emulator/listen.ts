/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (prior knowledge), detected per connection: the AWS SDK's
 * default handler speaks HTTP/2 to an `http://` endpoint, other clients speak HTTP/1.1 (WIRE-NOTES.md).
 * The first bytes are peeked; an HTTP/2 connection preface starts with `PRI`. The socket is handed to the
 * HTTP/2 server without resuming it (the session reads the buffered preface itself) and resumed for the
 * HTTP/1.1 server. `noDelay` avoids the ~40 ms Nagle/delayed-ACK stall on streamed responses.
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

export type RequestHandler = (
  request: http.IncomingMessage | http2.Http2ServerRequest,
  response: http.ServerResponse | http2.Http2ServerResponse,
  protocol: "http/1.1" | "h2",
) => void;

export interface DualServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0", "latin1");

export async function listenDual(
  handler: RequestHandler,
  options: { port: number; host: string },
): Promise<DualServer> {
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const h1 = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (request, response) =>
    handler(request, response, "http/1.1"),
  );
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, (request, response) =>
    handler(request, response, "h2"),
  );
  h2.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    session.on("error", () => {});
  });
  h1.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let peeked = Buffer.alloc(0);
    const onReadable = () => {
      let chunk: Buffer | null;
      // biome-ignore lint/suspicious/noAssignInExpressions: the usual read loop
      while ((chunk = socket.read()) !== null) peeked = Buffer.concat([peeked, chunk]);
      const compared = Math.min(peeked.length, PREFACE.length);
      const looksLikeH2 = peeked.subarray(0, compared).equals(PREFACE.subarray(0, compared));
      if (looksLikeH2 && compared < 3) return; // "P" or "PR": could still be POST/PUT/PATCH
      socket.removeListener("readable", onReadable);
      socket.removeListener("end", onEnd);
      socket.unshift(peeked);
      if (looksLikeH2) h2.emit("connection", socket);
      else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    const onEnd = () => socket.destroy();
    socket.on("readable", onReadable);
    socket.on("end", onEnd);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        h1.closeAllConnections();
      }),
  };
}
