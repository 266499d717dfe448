import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { listWidgetKeys } from "@/lib/widget";
import { loadAgentPage } from "../../load";
import { publicHost } from "../public-host";
import { WidgetSection } from "../widget-section";

export default async function DeploymentWidgetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { member, db, view } = await loadAgentPage(id);
  const { agent } = view;
  const [orgWidgetKeys, host] = await Promise.all([listWidgetKeys(db, member.orgId), publicHost()]);
  return (
    <WidgetSection
      agentId={agent.id}
      agentName={agent.name ?? "Assistant"}
      widgetKeys={orgWidgetKeys.filter((record) => record.agentId === agent.id)}
      publicUrl={host}
      canManage={(OWNERS_AND_ADMINS as readonly string[]).includes(member.role)}
      role={member.role}
    />
  );
}
