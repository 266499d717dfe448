/** Conduit's agents as A2A (Agent2Agent, v0.3 JSON-RPC) servers: a public card and an endpoint per agent. */
export { findAgentCard } from "./card";
export { handleA2aRequest } from "./server";
