/**
 * A tool call that failed for a reason the model should be told about (refused target, timeout,
 * oversized response, failing remote tool). The run loop turns it into a tool-error result.
 */
export class ToolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ToolError";
  }
}
