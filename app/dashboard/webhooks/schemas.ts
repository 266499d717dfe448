import { z } from "zod";
import { EVENT_TYPES, type EventType } from "@/lib/contracts/event-catalogue";
import { CreateWebhookEndpointRequest, UpdateWebhookEndpointRequest } from "@/lib/webhooks/schemas";

/** The ticked event types; none ticked means every type (null), as in the API. */
const ticked = (value: EventType | EventType[] | undefined): EventType[] | null => {
  const types = [value ?? []].flat();
  return types.length > 0 ? types : null;
};

const endpointFields = z.object({
  url: z.string(),
  description: z.string().optional(),
  "event_types[]": z.union([z.enum(EVENT_TYPES), z.array(z.enum(EVENT_TYPES))]).optional(),
});

/** The endpoint form, mapped onto the API's request schema (checked in the browser, parsed again by the server action). */
export const CreateEndpointForm = endpointFields
  .transform((fields): z.input<typeof CreateWebhookEndpointRequest> => ({
    url: fields.url,
    description: fields.description ?? "",
    event_types: ticked(fields["event_types[]"]),
  }))
  .pipe(CreateWebhookEndpointRequest);

export const UpdateEndpointForm = endpointFields
  .extend({ id: z.string().trim().min(1).max(200) })
  .transform((fields): { id: string; changes: z.input<typeof UpdateWebhookEndpointRequest> } => ({
    id: fields.id,
    changes: { url: fields.url, description: fields.description ?? "", event_types: ticked(fields["event_types[]"]) },
  }))
  .pipe(z.object({ id: z.string(), changes: UpdateWebhookEndpointRequest }));

export const EndpointIdForm = z.object({ id: z.string().trim().min(1, "Which endpoint?").max(200) });

export const EnableEndpointForm = EndpointIdForm.extend({ enabled: z.enum(["true", "false"]).transform((value) => value === "true") });

export const DeliveryIdForm = z.object({ id: z.string().trim().min(1, "Which delivery?").max(200) });
