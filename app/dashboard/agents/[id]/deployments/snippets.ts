/** Copy-ready requests for one agent on every door a connection key opens, with the real host and ids. */

export interface Snippet {
  id: string;
  title: string;
  description: string;
  code: string;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'"'"'`)}'`;

export function deploymentSnippets(host: string, agent: { uuid: string; publicId: string; mcpTool: string }): Snippet[] {
  const auth = `-H "Authorization: Bearer $CONDUIT_KEY" -H "Content-Type: application/json"`;
  const messages = [{ role: "user", content: "Hello" }];
  const body = (value: unknown) => shellQuote(JSON.stringify(value));
  return [
    {
      id: "chat-json",
      title: "Chat (JSON)",
      description: "One request, one JSON reply with the message, usage, generation and trace ids.",
      code: `curl -X POST "${host}/api/agents/${agent.uuid}/chat" \\\n  ${auth} \\\n  -d ${body({ messages, stream: false })}`,
    },
    {
      id: "chat-ndjson",
      title: "Chat (NDJSON stream)",
      description: "One JSON object a line: delta, tool-call and tool-result lines, then done.",
      code: `curl -N -X POST "${host}/api/agents/${agent.uuid}/chat" \\\n  ${auth} \\\n  -d ${body({ messages, stream: true })}`,
    },
    {
      id: "v1-chat",
      title: "v1 chat (Sistava-compatible)",
      description: "A prompt in, the agent's answer out; employee_id is the agent's UUID.",
      code: `curl -X POST "${host}/api/v1/chat" \\\n  ${auth} \\\n  -d ${body({ employee_id: agent.uuid, prompt: "Hello" })}`,
    },
    {
      id: "generate-sse",
      title: "Generate (server-sent events)",
      description: "The Agents API's generate: text-delta, tool-call and tool-result events, then done and [DONE].",
      code: `curl -N -X POST "${host}/api/v1/agents/${agent.publicId}/generate" \\\n  ${auth} \\\n  -d ${body({ messages, stream: true })}`,
    },
    {
      id: "task",
      title: "Async task gateway",
      description:
        "Queue a task (202 at once), then poll it or receive it by webhook. It also needs your personal access token ($CONDUIT_TOKEN), and the key must be yours.",
      code:
        `curl -X POST "${host}/api/agent" \\\n  -H "Authorization: Bearer $CONDUIT_TOKEN" -H "X-Api-Key: $CONDUIT_KEY" -H "Content-Type: application/json" \\\n` +
        `  -d ${body({ message: "Summarise the open orders", context: { agent_id: agent.uuid } })}\n` +
        `# then, with the conversation_uuid from the answer:\n` +
        `curl "${host}/api/agent/CONVERSATION_UUID" -H "Authorization: Bearer $CONDUIT_TOKEN" -H "X-Api-Key: $CONDUIT_KEY"`,
    },
    {
      id: "openai",
      title: "OpenAI-compatible API",
      description: "For anything built on OpenAI's SDKs: the agent is the model, and the reply comes in OpenAI's shapes.",
      code: `curl -X POST "${host}/api/openai/v1/chat/completions" \\\n  ${auth} \\\n  -d ${body({ model: agent.publicId, messages })}`,
    },
    {
      id: "openai-sdk",
      title: "OpenAI SDK (TypeScript)",
      description: "The official openai package, unchanged: only the base URL and the key are Conduit's.",
      code:
        `import OpenAI from "openai";\n\n` +
        `const client = new OpenAI({ baseURL: "${host}/api/openai/v1", apiKey: process.env.CONDUIT_KEY });\n` +
        `const completion = await client.chat.completions.create({\n` +
        `  model: "${agent.publicId}",\n` +
        `  messages: [{ role: "user", content: "Hello" }],\n` +
        `});\n` +
        `console.log(completion.choices[0].message.content);`,
    },
    {
      id: "a2a-card",
      title: "A2A: agent card",
      description: "For other agents: the agent's A2A card (public), which names its JSON-RPC endpoint and the Bearer scheme.",
      code: `curl "${host}/api/a2a/agents/${agent.publicId}/.well-known/agent-card.json"`,
    },
    {
      id: "a2a-send",
      title: "A2A: message/send",
      description:
        "A2A JSON-RPC (protocol 0.3): message/stream streams the same task as server-sent events; contextId continues a conversation.",
      code:
        `curl -X POST "${host}/api/a2a/agents/${agent.publicId}" \\\n  ${auth} \\\n  -d ` +
        body({
          jsonrpc: "2.0",
          id: 1,
          method: "message/send",
          params: { message: { kind: "message", messageId: "m1", role: "user", parts: [{ kind: "text", text: "Hello" }] } },
        }),
    },
    {
      id: "mcp-cursor",
      title: "MCP: Cursor",
      description: `In ~/.cursor/mcp.json, with your connection key in place of YOUR_CONNECTION_KEY: the agent is the tool ${agent.mcpTool}.`,
      code: JSON.stringify(
        { mcpServers: { conduit: { url: `${host}/api/mcp`, headers: { Authorization: "Bearer YOUR_CONNECTION_KEY" } } } },
        null,
        2,
      ),
    },
    {
      id: "mcp-claude",
      title: "MCP: Claude Desktop",
      description: `In claude_desktop_config.json, through the mcp-remote bridge: the agent is the tool ${agent.mcpTool}.`,
      code: JSON.stringify(
        {
          mcpServers: {
            conduit: {
              command: "npx",
              args: ["-y", "mcp-remote", `${host}/api/mcp`, "--header", "Authorization: Bearer ${CONDUIT_KEY}"],
              env: { CONDUIT_KEY: "YOUR_CONNECTION_KEY" },
            },
          },
        },
        null,
        2,
      ),
    },
  ];
}
