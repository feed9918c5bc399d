/**
 * `@gqlcast/core/push`: the contract between a subscription field that can be
 * driven by push (`@gqlcast/pothos`) and the server that drives it
 * (`@gqlcast/server`). Both import it from here; see docs/architecture.md.
 */
export {
  isPushField,
  isPushOffer,
  type NotificationMark,
  type PublishCall,
  type PullRoot,
  type PushFieldExtensions,
  type PushOffer,
  type PushResume,
  type PushSink,
  type PushSource,
  publishMiddlewareOf,
  pullRootKey,
  pushFieldExtensions,
  pushOfferKey,
} from './contract.js';
export { OrderedRunner, type OrderedSteps } from './ordered-runner.js';
