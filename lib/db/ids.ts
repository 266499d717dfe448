import { randomInt } from "node:crypto";

/** One registry of public id prefixes, so an id says what it names. */
export const idPrefixes = {
  agent: "agt_",
  tool: "agt_tool_",
  generation: "agt_gen_",
  aiProvider: "aip_",
  actor: "act_",
  apiKey: "key_",
  userToken: "pat_",
  trace: "trc_",
  invitation: "inv_",
  channel: "chn_",
  widgetKey: "wk_",
  automation: "aut_",
  automationTrigger: "trg_",
  automationRun: "atr_",
  webhookEndpoint: "whe_",
  document: "doc_",
  memory: "mem_",
  memoryEntry: "mem_entry_",
} as const;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Uniformly random characters from an alphabet (crypto.randomInt has no modulo bias). */
export function randomString(length: number, alphabet: string = BASE62): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function newPublicId(kind: keyof typeof idPrefixes): string {
  return idPrefixes[kind] + randomString(16);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
