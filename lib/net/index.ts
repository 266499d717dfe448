export { isAddressAllowed } from "./addresses";
export { createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from "./fetch";
export { createOutboundGuard, type OutboundErrorClass, type OutboundGuard } from "./guard";
