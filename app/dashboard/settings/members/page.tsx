import { z } from "zod";
import { getDb } from "@/lib/db";
import { listMembers, listPendingInvitations } from "@/lib/orgs";
import { INVITATION_TTL_DAYS } from "@/lib/orgs/schemas";
import { currentMember } from "@/lib/session";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/page";
import { Pager } from "@/components/ui/pager";
import { Table, Td, Th } from "@/components/ui/table";
import { canEditSettings } from "../editors";
import { assignableRoles } from "../roles";
import { InviteForm, RevokeInvitationButton } from "./invitation-forms";
import { MemberControls } from "./member-controls";

const PAGE_SIZE = 50;

const Query = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
  invitations: z.coerce.number().int().min(1).max(10_000).catch(1),
});

const day = (date: Date) => date.toISOString().slice(0, 10);

/** Members with their roles, and (for owners and admins) invitations by link. */
export default async function MembersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const member = await currentMember();
  const raw = await searchParams;
  const query = Query.parse({ page: raw.page, invitations: raw.invitations });
  const db = await getDb();
  const editable = canEditSettings(member.role);
  // One more than a page, to know whether a next page exists.
  const members = await listMembers(db, member.orgId, { limit: PAGE_SIZE + 1, offset: (query.page - 1) * PAGE_SIZE });
  const invitations = editable
    ? await listPendingInvitations(db, member.orgId, { limit: PAGE_SIZE + 1, offset: (query.invitations - 1) * PAGE_SIZE })
    : [];
  const href = (page: number, invitationsPage: number) => {
    const params = new URLSearchParams();
    if (page > 1) params.set("page", String(page));
    if (invitationsPage > 1) params.set("invitations", String(invitationsPage));
    const search = params.toString();
    return `/dashboard/settings/members${search ? `?${search}` : ""}`;
  };

  return (
    <div className="grid gap-6">
      <section className="grid gap-3" aria-labelledby="members-heading">
        <h2 id="members-heading" className="text-lg font-medium">
          Members
        </h2>
        {!editable ? (
          <p className="text-sm text-text-muted">Owners and admins change roles and invite people; your role is {member.role}.</p>
        ) : null}
        {members.length === 0 ? (
          <EmptyState title="No members on this page." />
        ) : (
          <Table caption="Members of the organisation">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>Joined</Th>
                {editable ? <Th>Change</Th> : null}
              </tr>
            </thead>
            <tbody>
              {members.slice(0, PAGE_SIZE).map((row) => {
                // Only an owner changes an owner; the server refuses the rest too.
                const changeable = editable && (row.role !== "owner" || member.role === "owner");
                return (
                  <tr key={row.userId} data-testid="member-row">
                    <Td>
                      {row.name}
                      {row.userId === member.userId ? <span className="text-text-muted"> (you)</span> : null}
                    </Td>
                    <Td>{row.email}</Td>
                    <Td>
                      <Badge tone={row.role === "owner" ? "good" : "neutral"}>{row.role}</Badge>
                    </Td>
                    <Td className="whitespace-nowrap">
                      <time dateTime={row.joinedAt.toISOString()}>{day(row.joinedAt)}</time>
                    </Td>
                    {editable ? (
                      <Td>
                        {changeable ? (
                          <MemberControls
                            userId={row.userId}
                            name={row.name}
                            role={row.role}
                            roles={assignableRoles(member.role)}
                            self={row.userId === member.userId}
                          />
                        ) : (
                          <span className="text-sm text-text-muted">Only an owner changes an owner</span>
                        )}
                      </Td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        <Pager
          label="Member pages"
          previous={query.page > 1 ? href(query.page - 1, query.invitations) : null}
          next={members.length > PAGE_SIZE ? href(query.page + 1, query.invitations) : null}
        />
      </section>

      {editable ? (
        <>
          <Card aria-labelledby="invite-heading">
            <h2 id="invite-heading" className="text-lg font-medium">
              Invite someone
            </h2>
            <p className="mb-4 text-sm text-text-muted">
              Creates a link to send them yourself: it works once, for {INVITATION_TTL_DAYS} days, for that email address. Conduit sends no
              email.
            </p>
            <InviteForm roles={assignableRoles(member.role)} />
          </Card>

          <section className="grid gap-3" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading" className="text-lg font-medium">
              Pending invitations
            </h2>
            {invitations.length === 0 ? (
              <EmptyState title="No pending invitations.">Links that were used, revoked or expired leave this list.</EmptyState>
            ) : (
              <Table caption="Pending invitations">
                <thead>
                  <tr>
                    <Th>Email</Th>
                    <Th>Role</Th>
                    <Th>Created</Th>
                    <Th>Expires</Th>
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.slice(0, PAGE_SIZE).map((invitation) => (
                    <tr key={invitation.publicId} data-testid="invitation-row">
                      <Td>{invitation.email}</Td>
                      <Td>
                        <Badge>{invitation.role}</Badge>
                      </Td>
                      <Td>
                        <time dateTime={invitation.createdAt.toISOString()}>{day(invitation.createdAt)}</time>
                      </Td>
                      <Td>
                        <time dateTime={invitation.expiresAt.toISOString()}>{day(invitation.expiresAt)}</time>
                      </Td>
                      <Td>
                        {invitation.role !== "owner" || member.role === "owner" ? (
                          <RevokeInvitationButton invitationId={invitation.publicId} email={invitation.email} />
                        ) : null}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
            <Pager
              label="Invitation pages"
              previous={query.invitations > 1 ? href(query.page, query.invitations - 1) : null}
              next={invitations.length > PAGE_SIZE ? href(query.page, query.invitations + 1) : null}
            />
          </section>
        </>
      ) : null}
    </div>
  );
}
