import { OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { listChannels, listPayingKeys } from "@/lib/channels";
import { loadAgentPage } from "../../load";
import { ChannelsSection } from "../channels-section";

export default async function DeploymentChannelsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { member, db, view } = await loadAgentPage(id);
  const { agent } = view;
  const [channels, payingKeys] = await Promise.all([listChannels(db, member.orgId, agent.id), listPayingKeys(db, member.orgId, agent.id)]);
  return (
    <ChannelsSection
      agentId={agent.id}
      connections={channels}
      payingKeys={payingKeys}
      canManage={(OWNERS_AND_ADMINS as readonly string[]).includes(member.role)}
      role={member.role}
    />
  );
}
