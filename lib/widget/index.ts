export { widgetChat, WidgetChatRequest } from "./chat";
export {
  appearanceOf,
  createWidgetKey,
  CreateWidgetKeyRequest,
  findActiveWidgetKey,
  getWidgetKey,
  listWidgetKeys,
  revokeWidgetKey,
  serializeWidgetKey,
  updateWidgetKey,
  UpdateWidgetKeyRequest,
} from "./keys";
export { normaliseOrigin, originAllowed } from "./origins";
export { embedPage } from "./page";
export { signVisitorToken, startWidgetSession, StartWidgetSessionRequest, verifyVisitorToken, type VisitorClaims } from "./sessions";
