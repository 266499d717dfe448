import { config } from "@/lib/config";

/**
 * The current time, shifted by CLOCK_OFFSET_MS: expiry and budget periods read the clock here,
 * so they can be exercised (and diagnosed) without waiting a day.
 */
export function now(): Date {
  return new Date(Date.now() + config().CLOCK_OFFSET_MS);
}
