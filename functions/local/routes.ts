/**
 * The registry of HTTP routes the local server (`npm start`) exposes, each the same Lambda
 * handler that API Gateway calls on AWS. It starts empty: the issues that add the order
 * webhook and the campaign endpoints register their routes here.
 */
import type { HttpRoute } from '../adapters/local/http-server.ts';
import type { LocalConfig } from '../config.ts';

export function localRoutes(_config: LocalConfig): HttpRoute[] {
  return [];
}
