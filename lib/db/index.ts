export { getDb, getDbKind, closeDb, openDatabase, type Db, type DbHandle, type DbKind } from "./client";
export * as tables from "./schema";
export type {
  Actor,
  Agent,
  AgentTask,
  ChannelConnection,
  ChannelContact,
  ChannelMessage,
  ChannelMessageStatus,
  ChannelType,
  Door,
  WidgetAppearance,
  WidgetKey,
  WidgetVisitor,
  GateAgent,
  GateAction,
  GateRule,
  GateRuleType,
  GateThread,
  GateThreadStatus,
  GateTool,
  Job,
  WebhookDelivery,
  AiProvider,
  ApiKey,
  Generation,
  Invitation,
  GenerationStep,
  GenerationStatus,
  Organisation,
  Tool,
  ToolType,
  User,
  UserToken,
} from "./schema";
export { newPublicId, randomString, UUID_PATTERN, BASE58 } from "./ids";
export { oneStatement, rowsOf, type NamedWrite } from "./statements";
export { noteLastUsed } from "./last-used";
