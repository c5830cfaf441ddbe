/**
 * Who may sign in, and how: the user pool (stateful), its role groups, the console's and the
 * command line's app clients, the managed login domain and the HTTP API's JWT authorizer.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../functions/contract.ts';
import { buildApp, type CampaignStacks } from '../../lib/app.ts';
import { DeploymentSettingsError } from '../../lib/deployment-settings.ts';
import {
  acknowledged,
  ENV,
  logicalId,
  REAL_SETTINGS,
  refOf,
  synthesizeApp,
  testApp,
  violationsOf,
} from './cdk-test-support.ts';

describe('marketer sign-in', () => {
  let stacks: CampaignStacks;
  let stateful: Template;
  let stateless: Template;

  beforeAll(() => {
    ({ stacks, stateful, stateless } = synthesizeApp());
  });

  const signIn = () => stacks.stateless.httpApi.signIn;
  /** A cross-stack token as the stateless stack sees it; only valid after Template.fromStack synthesized. */
  const consumed = (value: string) => stacks.stateless.resolve(value);
  const consoleUrl = () => ({
    'Fn::Join': [
      '',
      [
        'https://',
        refOf(stacks.stateless.httpApi.api),
        `.execute-api.${ENV.region}.`,
        { Ref: 'AWS::URLSuffix' },
        '/console',
      ],
    ],
  });

  describe('user pool', () => {
    it('is the only one, in the stateful stack: admin-created users only, retained and protected from deletion', () => {
      // Prepare
      const poolId = logicalId(stacks.stateful.userPool);

      // Act
      const pools = stateful.findResources('AWS::Cognito::UserPool');

      // Assess
      expect(Object.keys(pools)).toEqual([poolId]);
      expect(stateless.findResources('AWS::Cognito::UserPool')).toEqual({});
      expect(pools[poolId]).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          DeletionProtection: 'ACTIVE',
          AliasAttributes: ['email'],
          UsernameConfiguration: { CaseSensitive: false },
          AutoVerifiedAttributes: ['email'],
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        },
      });
      stateful.hasOutput('UserPoolId', { Value: refOf(stacks.stateful.userPool) });
    });

    it('wants 12 characters of every kind, an authenticator app as second factor, and enforces threat protection', () => {
      // Act
      const pool = stateful.findResources('AWS::Cognito::UserPool')[logicalId(stacks.stateful.userPool)]?.Properties;

      // Assess
      expect(pool.Policies.PasswordPolicy).toEqual({
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 3,
      });
      expect(pool.MfaConfiguration).toBe('ON');
      expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
      expect(pool.UserPoolTier).toBe('PLUS');
      expect(pool.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
      // The invitation names the user and carries the temporary password, in Chinese first.
      expect(pool.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage).toMatch(
        /^你的用户名是 \{username\}.*\{####\}/,
      );
    });

    it('has one retained group per role, named as the handlers read cognito:groups', () => {
      // Act
      const groups = Object.entries(stateful.findResources('AWS::Cognito::UserPoolGroup'));

      // Assess
      expect(groups.map(([, g]) => g.Properties.GroupName).sort()).toEqual([...ROLES].sort());
      for (const [id, group] of groups) {
        expect(group, id).toMatchObject({
          DeletionPolicy: 'Retain',
          Properties: { UserPoolId: refOf(stacks.stateful.userPool) },
        });
      }
      const approver = groups.find(([, g]) => g.Properties.GroupName === 'approver')?.[1];
      expect(approver?.Properties.Precedence).toBe(0);
    });
  });

  describe('app clients', () => {
    const clientProps = (client: IConstruct) =>
      stateless.findResources('AWS::Cognito::UserPoolClient')[logicalId(client)]?.Properties;

    it('are exactly the console and the command line, in the stateless stack, neither with a secret', () => {
      // Act
      const clients = Object.keys(stateless.findResources('AWS::Cognito::UserPoolClient'));

      // Assess
      expect(clients.sort()).toEqual([logicalId(signIn().consoleClient), logicalId(signIn().cliClient)].sort());
      expect(stateful.findResources('AWS::Cognito::UserPoolClient')).toEqual({});
      for (const client of [signIn().consoleClient, signIn().cliClient]) {
        expect(clientProps(client)).toMatchObject({
          UserPoolId: consumed(stacks.stateful.userPool.userPoolId),
          GenerateSecret: false,
          PreventUserExistenceErrors: 'ENABLED',
          EnableTokenRevocation: true,
          AccessTokenValidity: 60,
          IdTokenValidity: 60,
          RefreshTokenValidity: 720,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
          SupportedIdentityProviders: ['COGNITO'],
        });
      }
    });

    it("the console's: authorization code only (no implicit grant), back to <HttpApiUrl>console", () => {
      // Act
      const client = clientProps(signIn().consoleClient);

      // Assess
      expect(client).toMatchObject({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: [consoleUrl()],
        LogoutURLs: [consoleUrl()],
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
    });

    it("the command line's: a user's own password (with MFA), no OAuth redirect", () => {
      // Act
      const client = clientProps(signIn().cliClient);

      // Assess
      expect(client.ExplicitAuthFlows).toEqual(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
      expect(client.AllowedOAuthFlows).toBeUndefined();
      expect(client.CallbackURLs).toBeUndefined();
      stateless.hasOutput('CliClientId', { Value: refOf(signIn().cliClient) });
      stateless.hasOutput('ConsoleClientId', { Value: refOf(signIn().consoleClient) });
    });
  });

  describe('managed login', () => {
    it('is the newer managed login on d11-campaign-<account>, with Cognito branding for the console client', () => {
      // Act
      const domains = Object.values(stateless.findResources('AWS::Cognito::UserPoolDomain')).map((d) => d.Properties);
      const brandings = Object.values(stateless.findResources('AWS::Cognito::ManagedLoginBranding')).map(
        (b) => b.Properties,
      );

      // Assess
      expect(domains).toEqual([
        {
          Domain: `d11-campaign-${ENV.account}`,
          ManagedLoginVersion: 2,
          UserPoolId: consumed(stacks.stateful.userPool.userPoolId),
        },
      ]);
      expect(brandings).toEqual([
        {
          ClientId: refOf(signIn().consoleClient),
          UseCognitoProvidedValues: true,
          UserPoolId: consumed(stacks.stateful.userPool.userPoolId),
        },
      ]);
      stateless.hasOutput('SignInUrl', {});
    });
  });

  describe('the console function environment', () => {
    it('names the managed login, the console client and the console URL, as the sign-in script is configured', () => {
      // Act
      const environment = stacks.stateless.resolve(signIn().consoleEnvironment);

      // Assess
      expect(environment).toEqual({
        SIGN_IN_URL: {
          'Fn::Join': ['', ['https://', refOf(signIn().domain), `.auth.${ENV.region}.amazoncognito.com`]],
        },
        CONSOLE_CLIENT_ID: refOf(signIn().consoleClient),
        CONSOLE_URL: consoleUrl(),
      });
    });
  });

  describe('JWT authorizer', () => {
    it("trusts the user pool's tokens (issuer) for the console and the command line clients (audience), from Authorization", () => {
      // Act
      const authorizers = Object.values(stateless.findResources('AWS::ApiGatewayV2::Authorizer')).map(
        (a) => a.Properties,
      );

      // Assess
      expect(authorizers).toEqual([
        {
          ApiId: refOf(stacks.stateless.httpApi.api),
          AuthorizerType: 'JWT',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: {
            Audience: [refOf(signIn().consoleClient), refOf(signIn().cliClient)],
            Issuer: {
              'Fn::Join': [
                '',
                [`https://cognito-idp.${ENV.region}.amazonaws.com/`, consumed(stacks.stateful.userPool.userPoolId)],
              ],
            },
          },
          Name: 'MarketerAuthorizer',
        },
      ]);
    });
  });
});

describe('marketer sign-in settings', () => {
  it('take the console URL and the domain prefix from the context', () => {
    // Prepare
    const app = testApp({
      ...REAL_SETTINGS,
      consoleUrl: 'https://console.d11-shop.cn/console',
      signInDomainPrefix: 'd11-shop',
    });

    // Act
    const { stateless } = buildApp(app, ENV);
    const template = Template.fromStack(stateless);

    // Assess
    const [client] = Object.values(
      template.findResources('AWS::Cognito::UserPoolClient', { Properties: { AllowedOAuthFlows: ['code'] } }),
    );
    expect(client?.Properties).toMatchObject({
      CallbackURLs: ['https://console.d11-shop.cn/console'],
      LogoutURLs: ['https://console.d11-shop.cn/console'],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'd11-shop' });
  });

  it.each([
    [
      'consoleUrl',
      'http://console.d11-shop.cn/',
      /consoleUrl: "http:\/\/console\.d11-shop\.cn\/" is not an https:\/\/ URL/,
    ],
    ['consoleUrl', 'https://console.d11-shop.cn/?x=1', /consoleUrl: .* must have no \?query or #fragment/],
    [
      'signInDomainPrefix',
      'D11_Shop',
      /signInDomainPrefix: "D11_Shop" must be 1 to 63 lowercase letters, digits and -/,
    ],
    ['signInDomainPrefix', 'my-aws-shop', /signInDomainPrefix: "my-aws-shop" must not contain aws, amazon or cognito/],
  ])('refuse %s=%s naming it', (name, value, message) => {
    // Act
    const build = () => buildApp(testApp({ ...REAL_SETTINGS, [name]: value }), ENV);

    // Assess
    expect(build).toThrow(DeploymentSettingsError);
    expect(build).toThrow(message);
  });
});

describe('cdk-nag on the sign-in', () => {
  it('passes with nothing acknowledged on the user pool, its groups, the clients, the domain or the authorizer', () => {
    // Prepare
    const app = testApp();
    const { stateful, stateless } = buildApp(app, ENV);
    const { signIn } = stateless.httpApi;
    const l1 = (construct: IConstruct) => construct.node.defaultChild as IConstruct;

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).not.toThrow();
    expect(violationsOf(app)).toEqual([]);
    for (const construct of [
      stateful.userPool,
      l1(stateful.userPool),
      ...Object.values(stateful.roleGroups),
      signIn,
      signIn.consoleClient,
      signIn.cliClient,
      signIn.domain,
    ]) {
      expect(acknowledged(construct)).toEqual([]);
    }
  });
});
