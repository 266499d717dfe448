import { getAgentRow } from "@/lib/agents/manage";
import { chatRequestSchema } from "@/lib/agents/schemas";
import { ANY_MEMBER } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { chatStreamLine } from "@/lib/doors/chat";
import { toApiError } from "@/lib/errors";
import { streamGeneration } from "@/lib/generations";
import { parseInput, readJsonBody, requestContext, streamResponse } from "@/lib/http";
import { getOrganisation } from "@/lib/orgs/settings";
import { enforceKeyLimit } from "@/lib/ratelimit";
import { memberForRequest } from "@/lib/session";

/**
 * The dashboard's try-it door: the agent chat's NDJSON stream for a signed-in member, on the one
 * run pipeline (door `dashboard`). No API key pays, so the run counts against the organisation's
 * plan limits only; it is traced like any other.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const context = requestContext(request);
  try {
    const member = await memberForRequest(request, ANY_MEMBER);
    // A member's try-it pane gets the same per-minute budget as one API key.
    await enforceKeyLimit(`member:${member.userId}`);
    const body = parseInput(chatRequestSchema, await readJsonBody(request));
    const db = await getDb();
    const agent = await getAgentRow(db, member.orgId, (await params).id);
    const org = await getOrganisation(db, member.orgId);
    const cancel = new AbortController();
    const caller = { key: null, org, timing: context.timing, signal: AbortSignal.any([request.signal, cancel.signal]) };
    return streamResponse(
      await streamGeneration({ door: "dashboard", agentRef: agent.id, messages: body.messages }, caller),
      {
        contentType: "application/x-ndjson; charset=utf-8",
        encode: (event) => chatStreamLine(event, agent.id),
        encodeError: (error) =>
          JSON.stringify({ type: "error", error: { code: error.code, message: error.message, request_id: context.requestId } }) + "\n",
      },
      { requestId: context.requestId, abort: () => cancel.abort() },
    );
  } catch (error) {
    const failure = toApiError(error, context.requestId);
    return Response.json(
      { error: { code: failure.code, message: failure.message, request_id: context.requestId } },
      { status: failure.status, headers: failure.headers },
    );
  }
}
