/** The built-in handlers, webhook signature helpers and the user-handler module loader. */
export { emailJobHandler } from './email.js';
export type { EmailHandler, EmailHandlerOptions, EmailResultData, EmailTransport } from './email.js';
export type { EmailAttachment, EmailPayload } from './email-message.js';
export { webhookJobHandler } from './webhook.js';
export type { WebhookHandlerOptions, WebhookResultData } from './webhook.js';
export type { WebhookPayload } from './webhook-request.js';
export { signWebhookRequest, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, DEFAULT_SIGNATURE_TOLERANCE_SEC } from './webhook-signature.js';
export type { SignedRequest } from './webhook-signature.js';
export { BlockedAddressError, isNonPublicAddress } from './address-guard.js';
export type { ResolveAll } from './address-guard.js';
export { HandlerLoadError, loadHandlerModule } from './loader.js';
export type { HandlerConfig } from './loader.js';
export { BUILTIN_HANDLER_NAMES, BuiltinHandlerError, builtinHandler } from './builtin.js';
export type { BuiltinHandlerName } from './builtin.js';
