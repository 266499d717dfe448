"use server";

import { redirect } from "next/navigation";
import { membershipsOf } from "@/lib/accounts";
import { getDb } from "@/lib/db";
import { SwitchOrganisationForm } from "@/lib/orgs/schemas";
import { auth, chooseOrganisation } from "@/lib/session";

/** Remembers the chosen organisation; only one the user belongs to is accepted (pages check it again). */
export async function switchOrganisationAction(form: FormData): Promise<void> {
  const parsed = SwitchOrganisationForm.safeParse({ org_id: form.get("org_id") });
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in");
  if (parsed.success) {
    const memberships = await membershipsOf(await getDb(), session.user.id);
    if (memberships.some((membership) => membership.orgId === parsed.data.org_id)) await chooseOrganisation(parsed.data.org_id);
  }
  redirect("/dashboard");
}
