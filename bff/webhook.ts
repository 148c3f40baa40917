// `linkaja-pay/webhook`: verify the BFF's webhooks in your backend. Importable alone: no Express, no
// database, no configuration.
export { verifyWebhook, type WebhookEvent } from './webhooks/merchant-webhook.ts';
