/**
 * Who is asking, for the audit trail. On AWS the HTTP API's authorizer says it: a signed-in
 * user's JWT claims (`email`, else `sub`) when a JWT authorizer is in front, else the IAM
 * principal that signed the request (`userArn`). Locally there is no sign-in (the server
 * listens on 127.0.0.1 only): every request is the built-in local user.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';

/** The built-in user of the local stack. */
export const LOCAL_ACTOR = 'local-marketer';

const claim = z.string().min(1).max(256);
const authorizer = z.object({
  jwt: z.object({ claims: z.object({ email: claim.optional(), sub: claim.optional() }).loose() }).optional(),
  iam: z.object({ userArn: claim.optional() }).loose().optional(),
});

/** The caller, or undefined when the request carries no identity (never on a route with auth). */
export function actorOf(event: APIGatewayProxyEventV2, runtime: 'aws' | 'local'): string | undefined {
  if (runtime === 'local') return LOCAL_ACTOR;
  const parsed = authorizer.safeParse((event.requestContext as { authorizer?: unknown } | undefined)?.authorizer);
  if (!parsed.success) return undefined;
  const claims = parsed.data.jwt?.claims;
  return claims?.email ?? claims?.sub ?? parsed.data.iam?.userArn;
}
