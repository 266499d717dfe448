export {
  callbackUrl,
  CHANNEL_TYPES,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  listPayingKeys,
  serializeChannel,
  updateChannel,
} from "./connections";
export { CreateChannelRequest, ListChannelsQuery, UpdateChannelRequest } from "./schemas";
export { receiveEmailCallback, receiveMetaCallback, receiveTwilioCallback, verifyMetaSubscription } from "./callbacks";
export { answerAfterReview, channelAnswerHandler, channelSendHandler } from "./replies";
export type { ChannelType } from "./types";
export { channelConversation, sendMemberMessage, setAgentPaused, type ChannelConversation } from "./takeover";
