/**
 * The HTTP routes of the local server, each the same Lambda handler API Gateway calls on
 * AWS, with the same route keys (IAM auth on the marketer routes is AWS's; locally the
 * server binds 127.0.0.1 only).
 */
import type { HttpRoute } from '../adapters/local/http-server.ts';
import { handler as campaignApi } from '../handlers/campaign-api.ts';
import { MAX_WEBHOOK_BYTES, handler as ordersWebhook, WEBHOOK_TOO_LARGE } from '../handlers/orders-webhook.ts';

export function localRoutes(): HttpRoute[] {
  return [
    {
      method: 'POST',
      path: '/webhooks/orders',
      handler: ordersWebhook,
      bodyLimit: { bytes: MAX_WEBHOOK_BYTES, message: WEBHOOK_TOO_LARGE },
    },
    { method: 'GET', path: '/campaigns/{id}', handler: campaignApi },
    { method: 'GET', path: '/campaigns/{id}/report', handler: campaignApi },
  ];
}
