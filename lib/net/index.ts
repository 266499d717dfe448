export { blockedLabel, isAddressAllowed, isHostAllowListed } from "./addresses";
export { createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from "./fetch";
export { createOutboundGuard, type OutboundErrorClass, type OutboundGuard } from "./guard";
export { retryAfterMs } from "./retry-after";
