import type { NextRequest } from "next/server";
import { handlers } from "@/lib/session";
import { atPublicOrigin } from "@/lib/session/origin";

/** Auth.js endpoints (sign-in callbacks, session, CSRF token, sign-out), at the public address. */
export const GET = (request: NextRequest) => handlers.GET(atPublicOrigin(request));
export const POST = (request: NextRequest) => handlers.POST(atPublicOrigin(request));
