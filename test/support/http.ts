import { randomBytes } from "node:crypto";
import { expectDocumented } from "./openapi-contract";

/** Small HTTP helpers for talking to a running Conduit. */

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export async function postJson(
  url: string,
  body: unknown,
  options: { key?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<JsonResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: options.raw ?? JSON.stringify(body),
  });
  const text = await response.text();
  expectDocumented("POST", url, response, text);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function getJson(url: string, options: { key?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const response = await fetch(url, {
    headers: { ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}), ...options.headers },
  });
  const text = await response.text();
  expectDocumented("GET", url, response, text);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

/** The `{ error: { code, message } }` envelope's code, or undefined. */
export function errorCode(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

export { serverTiming } from "./server-timing";

/**
 * A distinct client address (IPv6 documentation range) per call, so failed-auth limits of one
 * test never leak into another, even across suites sharing one Redis.
 */
export function uniqueIp(): Record<string, string> {
  return { "X-Forwarded-For": `2001:db8::${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}` };
}
