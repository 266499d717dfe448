/**
 * What may be logged about an error without leaking what it carries. Database drivers put the
 * failed query's parameters (message text, secrets) into their errors (drizzle: `params: …`),
 * and some put the offending value into the message itself (`invalid input syntax … "value"`);
 * model SDK errors carry the request body. So a log line names the error's code and the first
 * line of its message, with quoted values blanked, and nothing else.
 */
export function describeFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? ` (${String(cause.code)})` : "";
  if (!(cause instanceof Error)) return `unknown error${code}`;
  const firstLine = cause.message.split("\n")[0] ?? "";
  return `${cause.name}${code}: ${withoutQuotedValues(firstLine)}`;
}

/** An error's own message up to its first line break (drizzle puts `params: …` on the next line). */
export function failureHeadline(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

/** The stack frames of an error, without its message (which the first line of a stack repeats). */
export function stackFrames(error: unknown): string {
  if (!(error instanceof Error) || !error.stack) return "";
  return error.stack
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
}

const withoutQuotedValues = (text: string) => text.replace(/"[^"]*"|'[^']*'/g, '"…"');
