import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/native-select";
import { switchOrganisationAction } from "./switch-organisation";

/** For users in several organisations: which one the dashboard shows (a plain form, works without JavaScript). */
export function OrganisationSwitcher({
  current,
  organisations,
}: {
  current: string;
  organisations: Array<{ orgId: string; orgName: string }>;
}) {
  return (
    <form action={switchOrganisationAction} className="mt-3 grid gap-2" aria-label="Switch organisation">
      <NativeSelect
        name="org_id"
        label="Organisation"
        defaultValue={current}
        options={organisations.map((org) => ({ value: org.orgId, label: org.orgName }))}
      />
      <Button type="submit" variant="secondary" size="sm" className="w-fit">
        Switch
      </Button>
    </form>
  );
}
