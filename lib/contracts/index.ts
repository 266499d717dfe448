/**
 * The response bodies and webhook payloads Conduit documents, one module per surface. Every
 * export is a zod schema (and its type): the OpenAPI document registers each under its export
 * name, and serializers declare their return types with the same names, so a serializer that
 * drifts from its documented schema fails the type check.
 */
export * from "./a2a";
export * from "./agents-api";
export * from "./automations";
export * from "./channels";
export * from "./conduit";
export * from "./gate";
export * from "./openai";
export * from "./task-gateway";
export * from "./widget";
export * from "./webhook-endpoints";
export * from "./knowledge";
