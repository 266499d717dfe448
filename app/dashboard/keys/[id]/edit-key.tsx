"use client";

import { updateKeyAction } from "../actions";
import { KeyForm, type AgentChoice, type KeyFormValues } from "../key-form";

export function EditKey({ keyId, agents, initial }: { keyId: string; agents: AgentChoice[]; initial: KeyFormValues }) {
  return <KeyForm mode="edit" keyId={keyId} action={updateKeyAction} agents={agents} initial={initial} submitLabel="Save changes" />;
}
