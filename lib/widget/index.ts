export { widgetChat, WidgetChatRequest } from "./chat";
export {
  appearanceOf,
  createWidgetKey,
  findActiveWidgetKey,
  getWidgetKey,
  listWidgetKeys,
  revokeWidgetKey,
  serializeWidgetKey,
  updateWidgetKey,
} from "./keys";
export { CreateWidgetKeyRequest, UpdateWidgetKeyRequest } from "./schemas";
export { normaliseOrigin, originAllowed } from "./origins";
export { embedPage } from "./page";
export { signVisitorToken, startWidgetSession, StartWidgetSessionRequest, verifyVisitorToken, type VisitorClaims } from "./sessions";
