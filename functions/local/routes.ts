/**
 * The HTTP routes of the local server, each the same Lambda handler API Gateway calls on
 * AWS, with the same route keys (the sign-in on the marketer routes is AWS's Cognito; locally
 * the server binds 127.0.0.1 only and every caller is the built-in local user, whose role
 * LOCAL_USER_ROLE sets: the handlers check it as they check a signed-in user's).
 */
import type { HttpRoute } from '../adapters/local/http-server.ts';
import {
  CAMPAIGN_ROUTES,
  CONSOLE_ROUTES,
  TEST_SEND_ROUTE,
  TRACKED_LINK_ROUTE,
  UNSUBSCRIBE_PATH,
  UPLOAD_ROUTES,
} from '../contract.ts';
import { handler as campaignApi } from '../handlers/campaign-api.ts';
import { handler as consolePages } from '../handlers/console.ts';
import { MAX_WEBHOOK_BYTES, handler as ordersWebhook, WEBHOOK_TOO_LARGE } from '../handlers/orders-webhook.ts';
import { handler as segmentUploads } from '../handlers/segment-uploads.ts';
import { handler as testSend } from '../handlers/test-send.ts';
import { handler as trackedLink } from '../handlers/tracked-link.ts';
import { handler as unsubscribe } from '../handlers/unsubscribe.ts';

function route(routeKey: string, handler: HttpRoute['handler']): HttpRoute {
  const [method, path] = routeKey.split(' ') as [string, string];
  return { method, path, handler };
}

export function localRoutes(): HttpRoute[] {
  return [
    {
      method: 'POST',
      path: '/webhooks/orders',
      handler: ordersWebhook,
      bodyLimit: { bytes: MAX_WEBHOOK_BYTES, message: WEBHOOK_TOO_LARGE },
    },
    ...CAMPAIGN_ROUTES.map((routeKey) => route(routeKey, campaignApi)),
    // The console: its pages, and its uploads (their own functions on AWS, as here).
    ...CONSOLE_ROUTES.map((routeKey) => route(routeKey, consolePages)),
    ...UPLOAD_ROUTES.map((routeKey) => route(routeKey, segmentUploads)),
    // Its own function on AWS (it may send SMS and email): not one of the router's routes.
    { method: 'POST', path: TEST_SEND_ROUTE.split(' ')[1] as string, handler: testSend },
    // The token is the auth, as on AWS (no authorizer there either).
    { method: 'GET', path: UNSUBSCRIBE_PATH, handler: unsubscribe },
    { method: 'POST', path: UNSUBSCRIBE_PATH, handler: unsubscribe },
    { method: 'GET', path: TRACKED_LINK_ROUTE, handler: trackedLink },
  ];
}
