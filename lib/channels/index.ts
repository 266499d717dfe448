export {
  callbackUrl,
  CHANNEL_TYPES,
  createChannel,
  CreateChannelRequest,
  deleteChannel,
  getChannel,
  listChannels,
  ListChannelsQuery,
  serializeChannel,
  updateChannel,
  UpdateChannelRequest,
} from "./connections";
export { receiveEmailCallback, receiveMetaCallback, receiveTwilioCallback, verifyMetaSubscription } from "./callbacks";
export { answerAfterReview, channelAnswerHandler, channelSendHandler } from "./replies";
export type { ChannelType } from "./types";
export { channelConversation, sendMemberMessage, setAgentPaused, type ChannelConversation } from "./takeover";
