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
export { IDENTITY_SECRET_PREFIX, verifyIdentityToken, type VisitorIdentity } from "./identity";
export { normaliseOrigin, originAllowed } from "./origins";
export { embedPage } from "./page";
export {
  signVisitorToken,
  startWidgetSession,
  StartWidgetSessionRequest,
  verifyVisitorToken,
  type VisitorCaller,
  type VisitorClaims,
} from "./sessions";
