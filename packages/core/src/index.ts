export type {
  BroadcastMessage,
  Channel,
  ChannelInput,
  ChannelName,
  ChannelOptions,
  ChannelPayload,
  PayloadSchema,
  SubscribeOptions,
} from './channel.js';
export { type Codec, msgpackCodec } from './codec.js';
export {
  ErrorCode,
  formatPath,
  GqlcastError,
  isGqlcastError,
  type PayloadIssue,
  PayloadValidationError,
} from './errors.js';
export { createHub, type Hub, type HubOptions, type HubStats } from './hub.js';
export {
  compareEventIds,
  type Layer,
  type LayerEvent,
  type LayerHealth,
  type LayerHistory,
  type LayerSubscription,
} from './layer.js';
export { escapingLogger, logText } from './log-text.js';
export { consoleLogger, type Logger, type LogLevel, loggerFrom, serializeDetails, silentLogger } from './logger.js';
export { type MemoryLayerOptions, memoryLayer } from './memory-layer.js';
export { type GroupSelection, maxGroupLength } from './names.js';
export { defaultQueueLimit } from './queue-limit.js';
export type { ResumePoint } from './resume.js';
export {
  type CursorPosition,
  channelWideKey,
  decodeCursor,
  encodeCursor,
  ResumeSeam,
  type SeamItem,
} from './resume-seam.js';
export type { RetainOptions, RetainPolicy } from './retain.js';
export { returnWithReason, toReturnReason, type UnsubscribeReason } from './return-reason.js';
export { isSkip, SKIP, type Skip } from './skip.js';
export type { ChannelSubscription, EndReason, NotificationListener, ResumeGap } from './subscription.js';
