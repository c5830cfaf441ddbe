/**
 * Who is asking, and may they: the one place the marketer routes check a caller's role.
 *
 * On AWS the HTTP API's JWT authorizer (the Cognito user pool) has checked the token's
 * signature, issuer, audience and expiry before the function runs; what it passes on are the
 * token's claims. The caller is the Cognito user name (`cognito:username` in an ID token,
 * `username` in an access token), else the token's `sub`; never the e-mail address, which is
 * personal data and would be copied into every answer that shows the audit trail. The roles are
 * the token's `cognito:groups`. Locally there is no sign-in (the server listens on 127.0.0.1
 * only): every request is the built-in local user, with the role LOCAL_USER_ROLE gives it.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { type MarketerRoute, REQUIRED_ROLE, ROLE_INCLUDES, ROLES, type Role } from '../contract.ts';
import { CampaignError } from '../usecases/errors.ts';

/** The built-in user of the local stack. */
export const LOCAL_ACTOR = 'local-marketer';

export interface Caller {
  /** Who, for the audit trail: the user name (or `sub`), or the local user. */
  readonly actor: string;
  /** Every role the caller holds, implied ones included (an approver is a marketer too). */
  readonly roles: readonly Role[];
}

const claim = z.string().min(1).max(256);
const authorizer = z.object({
  jwt: z
    .object({
      claims: z
        .object({
          'cognito:username': claim.optional(),
          username: claim.optional(),
          sub: claim.optional(),
          'cognito:groups': z.union([z.string(), z.array(z.string())]).optional(),
        })
        .loose(),
    })
    .optional(),
});

/**
 * The group names in a `cognito:groups` claim. A JSON array in the token; API Gateway's HTTP
 * API hands array claims to the function as one string, `[approver marketer]`, so both are read.
 */
export function groupsOf(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const names = typeof value === 'string' ? value.replace(/^\[|\]$/g, '').split(/[\s,]+/) : value;
  return names.map((name) => name.trim()).filter((name) => name !== '');
}

/** The roles the groups give, implied ones included; a group that is no role gives none. */
export function rolesOf(groups: readonly string[]): Role[] {
  const held = new Set<Role>();
  for (const group of groups) {
    if ((ROLES as readonly string[]).includes(group)) for (const role of ROLE_INCLUDES[group as Role]) held.add(role);
  }
  return ROLES.filter((role) => held.has(role));
}

/** The caller, or undefined when the request carries no identity (on AWS, no authorizer claims). */
export function callerOf(event: APIGatewayProxyEventV2, config: Config): Caller | undefined {
  if (config.runtime === 'local') return { actor: LOCAL_ACTOR, roles: rolesOf([config.localUserRole]) };
  const parsed = authorizer.safeParse((event.requestContext as { authorizer?: unknown } | undefined)?.authorizer);
  const claims = parsed.success ? parsed.data.jwt?.claims : undefined;
  const actor = claims?.['cognito:username'] ?? claims?.username ?? claims?.sub;
  if (!claims || !actor) return undefined;
  return { actor, roles: rolesOf(groupsOf(claims['cognito:groups'])) };
}

/** How each role is named to the marketer: Chinese first, the English in brackets. */
export const ROLE_LABEL: Readonly<Record<Role, string>> = {
  marketer: '营销人员 (marketer)',
  approver: '审批人 (approver)',
};

/** What each route does, in the refusal's words. */
const ACTION_LABEL: Readonly<Record<MarketerRoute, { zh: string; en: string }>> = {
  'PUT /campaigns/{id}': { zh: '规划活动', en: 'plan a campaign' },
  'GET /campaigns/{id}': { zh: '查看活动', en: 'read a campaign' },
  'GET /campaigns/{id}/report': { zh: '查看报告', en: 'read a report' },
  'GET /campaigns/{id}/live': { zh: '查看实时发送', en: 'follow the sends live' },
  'GET /console/view': { zh: '打开控制台', en: 'open the console' },
  'GET /console/campaigns/{id}/view': { zh: '打开活动页面', en: "open a campaign's page" },
  'POST /campaigns/{id}/uploads': { zh: '上传客户分组文件', en: 'upload a segment file' },
  'GET /campaigns/{id}/imports': { zh: '查看导入', en: 'read the imports' },
  'GET /campaigns/{id}/imports/rejects': { zh: '查看被拒绝的行', en: 'read rejected rows' },
  'POST /campaigns/{id}/pause': { zh: '暂停活动', en: 'pause a campaign' },
  'POST /campaigns/{id}/test-send': { zh: '测试发送', en: 'send a test' },
  'POST /campaigns/{id}/approve': { zh: '批准活动', en: 'approve a campaign' },
  'POST /campaigns/{id}/resume': { zh: '恢复活动', en: 'resume a campaign' },
  'POST /campaigns/{id}/cancel': { zh: '取消活动', en: 'cancel a campaign' },
};

/**
 * The caller of `route` if their role allows it. Throws `unauthenticated` (401) without an
 * identity and `forbidden` (403) naming the role needed when the caller lacks it.
 */
export function authorize(event: APIGatewayProxyEventV2, route: MarketerRoute, config: Config): Caller {
  const caller = callerOf(event, config);
  if (!caller) {
    throw new CampaignError('unauthenticated', '请先登录。Sign in first: the request carries no signed-in user.');
  }
  const needed = REQUIRED_ROLE[route];
  if (!caller.roles.includes(needed)) {
    const action = ACTION_LABEL[route];
    const held = caller.roles.length === 0 ? '无 (none)' : caller.roles.map((role) => ROLE_LABEL[role]).join('、');
    throw new CampaignError(
      'forbidden',
      `${action.zh}需要${ROLE_LABEL[needed]}角色，你的角色：${held}。请管理员把你加入 ${needed} 组。` +
        ` To ${action.en} you need the ${needed} role; you have: ${caller.roles.join(', ') || 'none'}. Ask an administrator to add you to the ${needed} group.`,
      { requiredRole: needed },
    );
  }
  return caller;
}
