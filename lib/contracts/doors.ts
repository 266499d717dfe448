/** The messaging channels an agent can be connected to; each is also the door its runs come through. */
export const CHANNEL_TYPES = ["whatsapp", "messenger", "instagram", "twilio", "email"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Every way into an agent; each run records the one it came through. */
export const DOORS = [
  "chat",
  "v1_chat",
  "generate",
  "task",
  "agent",
  "dashboard",
  "widget",
  "automation",
  "mcp",
  "a2a",
  "openai",
  ...CHANNEL_TYPES,
] as const;
export type Door = (typeof DOORS)[number];
