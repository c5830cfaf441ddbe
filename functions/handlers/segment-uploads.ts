/**
 * The console's segment uploads (signed-in marketers on AWS; the built-in user locally):
 * - `POST /campaigns/{id}/uploads {"fileName", "segment"?, "size"?}`: 200 a presigned PUT of
 *   that one file to `segments/<id>/<segment>.<ext>`, straight to the bucket (never through the
 *   API's 10 MB limit); its upload starts the import as any upload there does. 400 by field.
 * - `GET /campaigns/{id}/imports`: 200 the folder's imports with their progress and result.
 * - `GET /campaigns/{id}/imports/rejects?key=segments/<id>/<file>`: 200 the first rejected rows.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { segmentUploadDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { SERVICE, type UploadRoute } from '../contract.ts';
import { formatPath } from '../domain/campaign.ts';
import { observability } from '../observability.ts';
import { CampaignError, invalidRequest } from '../usecases/errors.ts';
import { listImports, readRejects, requestUpload, type SegmentUploadDeps } from '../usecases/segment-uploads.ts';
import { authorize, type Caller } from './actor.ts';
import { errorResponse, internalError, json, rawBody } from './http.ts';

const observed = observability(SERVICE.segmentUploads);
const { logger } = observed;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

const uploadBody = z.strictObject({
  fileName: z.string().min(1).max(255),
  segment: z.string().min(1).max(100).optional(),
  size: z.int().min(0).optional(),
});

function parseBody(event: APIGatewayProxyEventV2): z.infer<typeof uploadBody> {
  let value: unknown;
  try {
    value = JSON.parse(rawBody(event) || '{}');
  } catch {
    throw invalidRequest([{ path: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = uploadBody.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidRequest(
    parsed.error.issues.map((issue) => ({
      path: issue.path.length === 0 ? '(body)' : formatPath(issue.path),
      message: issue.code === 'unrecognized_keys' ? `has unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}

type Route = (
  event: APIGatewayProxyEventV2,
  campaignId: string,
  deps: SegmentUploadDeps,
  caller: Caller,
) => Promise<APIGatewayProxyStructuredResultV2>;

const ROUTES: Record<UploadRoute, Route> = {
  'POST /campaigns/{id}/uploads': async (event, campaignId, deps, caller) =>
    json(200, await requestUpload(deps, { campaignId, ...parseBody(event) }, caller.actor), {
      'cache-control': 'no-store',
    }),
  'GET /campaigns/{id}/imports': async (_event, campaignId, deps) =>
    json(200, { campaignId, imports: await listImports(deps, campaignId) }, { 'cache-control': 'no-store' }),
  'GET /campaigns/{id}/imports/rejects': async (event, campaignId, deps) => {
    const key = event.queryStringParameters?.key;
    if (!key) throw invalidRequest([{ path: 'key', message: 'name the segment file: ?key=segments/<id>/<file>' }]);
    return json(200, await readRejects(deps, campaignId, key));
  },
};

async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const route = Object.hasOwn(ROUTES, event.routeKey) ? ROUTES[event.routeKey as UploadRoute] : undefined;
  if (!route) return json(404, { message: 'Not Found' });
  const campaignId = event.pathParameters?.id ?? '';
  try {
    const config = loadConfig();
    // Who first: a caller without the role learns nothing, not even whether the id is well formed.
    const caller = authorize(event, event.routeKey as UploadRoute, config);
    if (!CAMPAIGN_ID.test(campaignId)) {
      throw invalidRequest([{ path: 'id', message: 'is not a campaign id (1-48 letters, digits, - or _)' }]);
    }
    return await route(event, campaignId, segmentUploadDependencies(config), caller);
  } catch (error) {
    if (error instanceof CampaignError) return errorResponse(error);
    logger.error('segment uploads failed', { routeKey: event.routeKey, campaignId, error });
    return internalError();
  }
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
