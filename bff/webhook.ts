// `linkaja-pay/webhook`: verify the BFF's webhooks (Standard Webhooks) in your backend. Importable
// alone: no Express, no database, no configuration.
export {
  newWebhookSecret,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookPayload,
  type WebhookVerificationReason,
} from './webhooks/standard-webhooks.ts';
