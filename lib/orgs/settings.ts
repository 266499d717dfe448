import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TokenUser } from "@/lib/auth/user-tokens";
import { tables, type Db, type Organisation } from "@/lib/db";
import { forgetCachedKeys } from "@/lib/keys";
import type { OrganisationResponse } from "@/lib/contracts";
import { integerField } from "@/lib/http";

export const UpdateOrganisationRequest = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  api_channel_enabled: z.boolean().optional(),
  billing_mode: z.enum(["hosted", "byok"]).optional(),
  monthly_message_limit: integerField().nullable().optional(),
  monthly_token_limit: integerField().nullable().optional(),
});

export function serializeOrganisation(org: Organisation): OrganisationResponse {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    api_channel_enabled: org.apiChannelEnabled,
    billing_mode: org.billingMode,
    monthly_message_limit: org.monthlyMessageLimit,
    monthly_token_limit: org.monthlyTokenLimit,
    created_at: org.createdAt.toISOString(),
  };
}

export async function getOrganisation(db: Db, orgId: string): Promise<Organisation> {
  const [org] = await db.select().from(tables.organisations).where(eq(tables.organisations.id, orgId));
  return org!;
}

/** The organisation's channel switch, billing mode and plan limits (the route admits owners and admins only). */
export async function updateOrganisation(
  db: Db,
  user: TokenUser,
  input: z.output<typeof UpdateOrganisationRequest>,
): Promise<Organisation> {
  const [org] = await db
    .update(tables.organisations)
    .set({
      name: input.name,
      apiChannelEnabled: input.api_channel_enabled,
      billingMode: input.billing_mode,
      monthlyMessageLimit: input.monthly_message_limit,
      monthlyTokenLimit: input.monthly_token_limit,
      updatedAt: new Date(),
    })
    .where(eq(tables.organisations.id, user.orgId))
    .returning();
  // Keys carry their organisation's settings in the cache: make the change visible here at once.
  forgetCachedKeys();
  return org!;
}

// The name route handlers import today; new code uses the name above.
export { UpdateOrganisationRequest as updateOrganisationRequest };
