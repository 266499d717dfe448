/**
 * Organisation events: the catalogue, and `publishEvent`, which domain modules call where things
 * happen. Delivery is the webhook engine's business; publishing only stores deliveries (in the
 * caller's transaction when given one) and never waits on a receiver.
 */
import type { EventData, EventType } from "@/lib/contracts/event-catalogue";
import type { Db } from "@/lib/db";
import { queueEvent } from "@/lib/webhooks";

export {
  EVENT_TYPES,
  eventCatalogue,
  isEventType,
  type EventData,
  type EventEnvelope,
  type EventType,
} from "@/lib/contracts/event-catalogue";

export interface PublishedEvent<T extends EventType> {
  orgId: string;
  type: T;
  data: EventData<T>;
}

/** Queues one delivery per enabled endpoint of the organisation subscribed to the type; usually none, at the cost of one cached lookup. */
export async function publishEvent<T extends EventType>(db: Db, event: PublishedEvent<T>): Promise<void> {
  await queueEvent(db, event);
}

/**
 * For work that is done already (a reply sent, a refusal answered): a failure to queue the event is
 * logged, not passed on to the caller.
 */
export function publishEventLater<T extends EventType>(db: Db, event: PublishedEvent<T>): void {
  publishEvent(db, event).catch((error: unknown) =>
    console.error(`[events] could not queue ${event.type}: ${error instanceof Error ? error.message : String(error)}`),
  );
}
