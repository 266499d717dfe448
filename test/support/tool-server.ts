/** A loopback HTTP endpoint for http tools: answers every call with one JSON body and keeps what it was sent. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ToolServer {
  url: string;
  /** Request bodies in arrival order; clear with `bodies.length = 0`. */
  bodies: string[];
  close(): Promise<void>;
}

export async function startToolServer(reply: unknown): Promise<ToolServer> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
