export { widgetChat, WidgetChatRequest } from "./chat";
export {
  anyKeyAllowsOrigin,
  appearanceOf,
  createWidgetKey,
  findActiveWidgetKey,
  getWidgetKey,
  listWidgetKeys,
  revokeWidgetKey,
  rotateIdentitySecret,
  serializeWidgetKey,
  updateWidgetKey,
} from "./keys";
export { CreateWidgetKeyRequest, UpdateWidgetKeyRequest } from "./schemas";
export { normaliseOrigin, originAllowed } from "./origins";
export { embedPage, widgetPreviewChatPage, widgetPreviewPage } from "./page";
export {
  signVisitorToken,
  startWidgetSession,
  StartWidgetSessionRequest,
  verifyVisitorToken,
  type VisitorCaller,
  type VisitorClaims,
} from "./sessions";
export { widgetVisitorOfConversation, type WidgetVisitorSummary } from "./visitors";
