/**
 * A local WebSocket-to-PostgreSQL proxy, the part of Neon's service its serverless driver needs:
 * each WebSocket to `/v2?address=host:port` becomes a TCP connection to that address, with binary
 * frames piped both ways. Only the addresses given may be reached, so it cannot be used to probe
 * anything else on the machine.
 */
import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

export interface NeonWsProxy {
  /** `ws://127.0.0.1:PORT/v2`: the value for NEON_WS_PROXY. */
  url: string;
  /** WebSocket connections accepted since start, each one database connection of the driver. */
  accepted(): number;
  /** Connections open now (WebSocket and its TCP socket together). */
  open(): number;
  /** Upgrade requests refused for naming an address that is not allowed. */
  refused(): number;
  close(): Promise<void>;
}

const PATH = "/v2";

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The `host:port` a request asks for, if it is a proxy request at all. */
function requestedAddress(request: IncomingMessage): string | undefined {
  const url = new URL(request.url ?? "/", "http://proxy.invalid");
  return url.pathname === PATH ? (url.searchParams.get("address") ?? undefined) : undefined;
}

function splitAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(":");
  return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}

/** `allowed`: the `host:port` addresses connections may go to, e.g. the test PostgreSQL's `127.0.0.1:5432`. */
export async function startNeonWsProxy(allowed: string[]): Promise<NeonWsProxy> {
  const sockets = new Set<Socket>();
  let acceptedCount = 0;
  let refusedCount = 0;
  const webSockets = new WebSocketServer({ noServer: true });
  const server = createServer((_request, response) => {
    response.writeHead(426, { Connection: "close" });
    response.end();
  });

  const pipe = (webSocket: WebSocket, address: string) => {
    acceptedCount++;
    const { host, port } = splitAddress(address);
    const tcp = connect(port, host);
    sockets.add(tcp);
    // Frames arriving before the TCP connection is up are queued by the socket until it is.
    webSocket.on("message", (data) => tcp.write(toBuffer(data)));
    tcp.on("data", (chunk) => webSocket.send(chunk));
    webSocket.on("close", () => tcp.end());
    webSocket.on("error", () => tcp.destroy());
    tcp.on("error", () => webSocket.terminate());
    tcp.on("close", () => {
      sockets.delete(tcp);
      webSocket.close();
    });
  };

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const address = requestedAddress(request);
    if (address === undefined) return refuse(socket, "404 Not Found");
    if (!allowed.includes(address)) {
      refusedCount++;
      return refuse(socket, "403 Forbidden");
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => pipe(webSocket, address));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}${PATH}`,
    accepted: () => acceptedCount,
    open: () => sockets.size,
    refused: () => refusedCount,
    close: async () => {
      for (const webSocket of webSockets.clients) webSocket.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => webSockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
