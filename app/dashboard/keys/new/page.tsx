import type { Metadata } from "next";
import { Card, Notice } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import { getDb } from "@/lib/db";
import { keyAgentChoices } from "@/lib/keys/manage";
import { currentMember } from "@/lib/session";
import { holds, NoKeysForReviewers } from "../access";
import { CreateKey } from "./create-key";

export const metadata: Metadata = { title: "Create an API key · Conduit" };

export default async function NewKeyPage() {
  const member = await currentMember();
  const header = (
    <PageHeader title="Create an API key" description="The key and its webhook signing secret are shown once, after you create it." />
  );
  if (!holds(OWNERS_AND_ADMINS, member)) {
    return (
      <div className="grid max-w-3xl gap-6">
        {header}
        {holds(ANY_MEMBER, member) ? (
          <Notice>Only owners and admins create API keys; your role is {member.role}.</Notice>
        ) : (
          <NoKeysForReviewers />
        )}
      </div>
    );
  }
  const agents = await keyAgentChoices(await getDb(), member.orgId);
  return (
    <div className="grid max-w-3xl gap-6">
      {header}
      <Card>
        <CreateKey agents={agents.map(({ publicId, name }) => ({ publicId, name }))} />
      </Card>
    </div>
  );
}
