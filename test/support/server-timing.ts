/** Parses Server-Timing into { name: durationMs }; shared by the suites and the benchmark. */
export function serverTiming(headers: Headers): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (headers.get("server-timing") ?? "").split(",")) {
    const match = part.trim().match(/^([\w-]+);dur=([\d.]+)$/);
    if (match?.[1] && match[2]) out[match[1]] = Number(match[2]);
  }
  return out;
}
