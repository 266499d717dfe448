import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { membershipOf, signInWithPassword, type Member, type MemberRole } from "@/lib/accounts";
import { SignInRequest } from "@/lib/accounts/schemas";
import { config } from "@/lib/config";
import { getDb, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { CLIENT_IP_HEADER } from "@/lib/http";
import { baseSessionConfig } from "./config";
import { userForExternalSignIn } from "./external";

/** Why a password sign-in was refused, as the sign-in form reports it (`error.code`). */
export class SignInRefused extends CredentialsSignin {
  constructor(
    override readonly code: "invalid" | "locked" | "throttled",
    readonly detail: string,
  ) {
    super(detail);
  }
}

function providers(): NextAuthConfig["providers"] {
  const env = config();
  const list: NextAuthConfig["providers"] = [
    Credentials({
      credentials: { email: {}, password: {} },
      authorize: async (credentials, request) => {
        const parsed = SignInRequest.safeParse(credentials);
        if (!parsed.success) throw new SignInRefused("invalid", "Wrong email or password");
        const ip = request.headers.get(CLIENT_IP_HEADER) ?? "unknown";
        const outcome = await signInWithPassword(await getDb(), { ...parsed.data, ip });
        switch (outcome.status) {
          case "signed-in":
            return { id: outcome.userId };
          case "invalid":
            throw new SignInRefused("invalid", "Wrong email or password");
          case "locked":
            throw new SignInRefused("locked", `Too many failed sign-ins: this account is locked until ${outcome.until.toISOString()}`);
          case "throttled":
            throw new SignInRefused("throttled", `Too many attempts: try again in ${outcome.retryAfterSeconds} s`);
        }
      },
    }),
  ];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET)
    list.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET }));
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID && env.AUTH_OIDC_SECRET) {
    list.push({
      id: "oidc",
      name: "Single sign-on",
      type: "oidc",
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.AUTH_OIDC_ID,
      clientSecret: env.AUTH_OIDC_SECRET,
    });
  }
  return list;
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const base = baseSessionConfig();
  return {
    ...base,
    providers: providers(),
    callbacks: {
      ...base.callbacks,
      // Accounts are matched by email, so an address the provider has not verified could take
      // over someone else's account. GitHub's provider returns the verified primary email.
      signIn: ({ account, profile }) => account?.provider !== "oidc" || profile?.email_verified === true,
      // The token carries only Conduit's user id; organisation and role are read per request.
      jwt: async ({ token, user, account, profile }) => {
        if (account && account.provider !== "credentials") {
          token.sub = await userForExternalSignIn(await getDb(), {
            email: profile?.email ?? user?.email,
            name: profile?.name ?? user?.name,
          });
        } else if (user?.id) {
          token.sub = user.id;
        }
        return token;
      },
      session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub ?? "" } }),
    },
  };
});

/** The external sign-in providers switched on, for the sign-in page's buttons. */
export function externalProviders(): Array<{ id: string; name: string }> {
  const env = config();
  const list: Array<{ id: string; name: string }> = [];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) list.push({ id: "github", name: "GitHub" });
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID && env.AUTH_OIDC_SECRET) list.push({ id: "oidc", name: "Single sign-on" });
  return list;
}

/**
 * The signed-in member for a dashboard page: visitors without a session go to sign-in. Role
 * checks use `assertRole`, so a forged form post is refused on the server as well.
 */
export async function currentMember(): Promise<Member> {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) redirect("/sign-in");
  const member = await membershipOf(await getDb(), userId, await chosenOrgId());
  if (!member) redirect("/sign-in?error=NoMembership");
  return member;
}

/** The session's member in their chosen organisation, or null: for actions and fetches, which answer rather than redirect. */
export async function signedInMember(db: Db): Promise<Member | null> {
  const userId = (await auth())?.user?.id;
  return userId ? membershipOf(db, userId, await chosenOrgId()) : null;
}

/** Why a member may not do something that needs one of `roles`, or null when they may. */
export function roleRefusal(member: Member, roles: readonly MemberRole[]): string | null {
  return roles.includes(member.role) ? null : `This needs the role ${roles.join(" or ")}; your role is ${member.role}`;
}

export function assertRole(member: Member, roles: readonly MemberRole[]): void {
  const refusal = roleRefusal(member, roles);
  if (refusal) throw new ApiError("FORBIDDEN", refusal);
}

/** A dashboard route handler's fetch must come from a dashboard page: the Origin names this host (CSRF). */
function assertSameOrigin(request: Request): void {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let origin: string | null = null;
  try {
    origin = new URL(request.headers.get("origin") ?? "").host;
  } catch {
    origin = null;
  }
  if (!host || origin !== host) throw new ApiError("FORBIDDEN", "Requests from other sites are refused");
}

/**
 * The signed-in member behind a dashboard route handler's request (a fetch from a page, not a
 * navigation): refused with 401 without a session, 403 from another site or without the role.
 */
export async function memberForRequest(request: Request, roles: readonly MemberRole[]): Promise<Member> {
  assertSameOrigin(request);
  const member = await signedInMember(await getDb());
  if (!member) throw new ApiError("UNAUTHENTICATED", "Your session has ended; sign in again");
  assertRole(member, roles);
  return member;
}

/**
 * The organisation a user in several works in, by their choice. Only a preference: every page
 * and action checks it against the user's memberships (membershipOf), so it needs no secrecy.
 */
const ORG_COOKIE = "conduit-org";

export async function chosenOrgId(): Promise<string | null> {
  return (await cookies()).get(ORG_COOKIE)?.value ?? null;
}

export async function chooseOrganisation(orgId: string): Promise<void> {
  (await cookies()).set(ORG_COOKIE, orgId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 365 * 24 * 60 * 60 });
}
