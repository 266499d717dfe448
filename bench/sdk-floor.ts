/**
 * The floor under any gateway built on this stack: a bare `node:http` server that answers a chat
 * with the AI SDK alone (`generateText` / `streamText` over the OpenAI-compatible provider, the
 * same one Conduit uses), with no authentication, database, limits, budgets or records. `npm
 * run bench` starts it in its own process, so what Conduit adds beyond it is Conduit's own.
 *
 *   tsx bench/sdk-floor.ts --upstream <base url>   prints {"baseUrl": …} once listening
 */
import { createServer, type IncomingMessage } from "node:http";
import { parseArgs } from "node:util";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, streamText, type ModelMessage } from "ai";

interface ChatBody {
  messages: ModelMessage[];
  stream?: boolean;
}

async function readJson(request: IncomingMessage): Promise<ChatBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatBody;
}

function main(): void {
  const { values } = parseArgs({ options: { upstream: { type: "string" }, model: { type: "string", default: "bench-model" } } });
  if (!values.upstream) throw new Error("usage: tsx bench/sdk-floor.ts --upstream <base url>");
  const model = createOpenAICompatible({ name: "floor", baseURL: values.upstream, apiKey: "bench", includeUsage: true })(values.model);

  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/chat") {
      response.writeHead(404).end();
      return;
    }
    readJson(request)
      .then(async (body) => {
        if (!body.stream) {
          const result = await generateText({ model, messages: body.messages, maxRetries: 0 });
          const reply = JSON.stringify({ message: { role: "assistant", content: result.text }, usage: result.usage });
          response.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(reply) }).end(reply);
          return;
        }
        const result = streamText({ model, messages: body.messages, maxRetries: 0 });
        response.writeHead(200, { "Content-Type": "application/x-ndjson" });
        for await (const part of result.fullStream) {
          if (part.type === "text-delta") response.write(JSON.stringify({ type: "delta", content: part.text }) + "\n");
          else if (part.type === "finish") response.write(JSON.stringify({ type: "done", usage: part.totalUsage }) + "\n");
        }
        response.end();
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ error: String(error) }));
      });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    console.log(JSON.stringify({ baseUrl: `http://127.0.0.1:${address.port}` }));
  });
}

main();
