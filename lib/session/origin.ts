import { NextRequest } from "next/server";
import { publicOrigin } from "@/lib/http/origin";

/** The request as Auth.js must see it, at the public origin: it builds its URLs from the request's. */
export function atPublicOrigin(request: NextRequest): NextRequest {
  const { pathname, search } = new URL(request.url);
  return new NextRequest(new URL(`${pathname}${search}`, publicOrigin(request)), request);
}
