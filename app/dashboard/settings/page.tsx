import { getDb } from "@/lib/db";
import { getOrganisation } from "@/lib/orgs/settings";
import { currentMember } from "@/lib/session";
import { Card } from "@/components/ui/card";
import { OrganisationSettingsForm } from "./organisation-form";
import { canEditSettings } from "./editors";

/** The organisation's name, API channel switch, billing mode and plan limits: everyone reads them, owners and admins change them. */
export default async function OrganisationSettingsPage() {
  const member = await currentMember();
  const org = await getOrganisation(await getDb(), member.orgId);
  return (
    <Card>
      <h2 className="mb-4 text-lg font-medium">Organisation</h2>
      <OrganisationSettingsForm
        editable={canEditSettings(member.role)}
        role={member.role}
        values={{
          name: org.name,
          apiChannelEnabled: org.apiChannelEnabled,
          billingMode: org.billingMode,
          monthlyMessageLimit: org.monthlyMessageLimit,
          monthlyTokenLimit: org.monthlyTokenLimit,
        }}
      />
    </Card>
  );
}
