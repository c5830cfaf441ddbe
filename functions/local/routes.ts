/**
 * The HTTP routes of the local server, each the same Lambda handler API Gateway calls on
 * AWS, with the same route keys (IAM auth on the marketer routes is AWS's; locally the
 * server binds 127.0.0.1 only).
 */
import type { HttpRoute } from '../adapters/local/http-server.ts';
import { handler as campaignApi } from '../handlers/campaign-api.ts';
import { handler as ordersWebhook } from '../handlers/orders-webhook.ts';

export function localRoutes(): HttpRoute[] {
  return [
    { method: 'POST', path: '/webhooks/orders', handler: ordersWebhook },
    { method: 'GET', path: '/campaigns/{id}', handler: campaignApi },
    { method: 'GET', path: '/campaigns/{id}/report', handler: campaignApi },
  ];
}
