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
export { CreateWidgetKeyRequest, LAUNCHER_ICONS, UpdateWidgetKeyRequest } from "./schemas";
export { normaliseOrigin, originAllowed } from "./origins";
export { embedPage, widgetPreviewChatPage, widgetPreviewPage } from "./page";
export { signVisitorToken, startWidgetSession, StartWidgetSessionRequest, verifyVisitorToken, type VisitorClaims } from "./sessions";
