import { z } from "zod";

/** An agent's A2A card (v0.3): how to reach it, never what is private to its organisation. */
export const A2aAgentCard = z.strictObject({
  protocolVersion: z.literal("0.3.0"),
  name: z.string(),
  description: z.string(),
  url: z.string().meta({ description: "The agent's JSON-RPC endpoint, absolute" }),
  preferredTransport: z.literal("JSONRPC"),
  version: z.string(),
  capabilities: z.strictObject({ streaming: z.boolean(), pushNotifications: z.boolean(), stateTransitionHistory: z.boolean() }),
  defaultInputModes: z.array(z.string()),
  defaultOutputModes: z.array(z.string()),
  skills: z.array(z.strictObject({ id: z.string(), name: z.string(), description: z.string(), tags: z.array(z.string()) })),
  securitySchemes: z.record(z.string(), z.strictObject({ type: z.literal("http"), scheme: z.literal("bearer"), description: z.string() })),
  security: z.array(z.record(z.string(), z.array(z.string()))),
});
export type A2aAgentCard = z.input<typeof A2aAgentCard>;
