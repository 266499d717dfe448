import { handlers } from "@/lib/session";

/** Auth.js endpoints (sign-in callbacks, session, CSRF token, sign-out). */
export const { GET, POST } = handlers;
