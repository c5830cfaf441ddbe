import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  CfnManagedLoginBranding,
  type IUserPool,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ENV } from '../functions/contract.ts';

/** How long a sign-in lasts: an hour per token, a working day per refresh (then sign in again). */
export const TOKEN_VALIDITY = { access: Duration.hours(1), id: Duration.hours(1), refresh: Duration.hours(12) };

export interface MarketerSignInProps {
  /** The stateful stack's user pool: the marketers, the approvers and their groups. */
  readonly userPool: IUserPool;
  /** Where the managed login sends the browser back after sign-in and sign-out: the console's URL. */
  readonly consoleUrl: string;
  /** The managed login's domain: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainPrefix: string;
}

/**
 * How marketers sign in (the user pool itself is state, in the stateful stack; this is
 * wiring, redeployable at will):
 *
 * - the console's app client: authorization code with PKCE through the managed login pages
 *   (which speak Simplified Chinese, `lang=zh-CN`), no client secret (a browser cannot keep
 *   one), back to `consoleUrl`;
 * - the command line's app client: a user's own name and password (USER_PASSWORD_AUTH, with
 *   the MFA challenge), no secret, no OAuth redirect; `aws cognito-idp initiate-auth` gives
 *   the token `campaign --token` sends;
 * - the HTTP API's JWT authorizer: a token from this pool (issuer) for one of these two
 *   clients (audience), checked by API Gateway before any function runs.
 */
export class MarketerSignIn extends Construct {
  public readonly consoleClient: UserPoolClient;
  public readonly cliClient: UserPoolClient;
  public readonly domain: UserPoolDomain;
  public readonly authorizer: HttpUserPoolAuthorizer;
  /** The managed login's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  public readonly signInUrl: string;
  /**
   * What the console function needs to sign its pages in (`useNames(...)` it): the managed
   * login, the console's client and the console's URL (functions/views/console-sign-in.ts).
   */
  public readonly consoleEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: MarketerSignInProps) {
    super(scope, id);
    const { userPool, consoleUrl, domainPrefix } = props;
    const tokens = {
      accessTokenValidity: TOKEN_VALIDITY.access,
      idTokenValidity: TOKEN_VALIDITY.id,
      refreshTokenValidity: TOKEN_VALIDITY.refresh,
      enableTokenRevocation: true,
      // "Incorrect user name or password" either way: no probing which users exist.
      preventUserExistenceErrors: true,
    };

    this.consoleClient = new UserPoolClient(this, 'ConsoleClient', {
      userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      ...tokens,
    });

    this.cliClient = new UserPoolClient(this, 'CliClient', {
      userPool,
      generateSecret: false,
      authFlows: { userPassword: true },
      disableOAuth: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      ...tokens,
    });

    this.domain = new UserPoolDomain(this, 'Domain', {
      userPool,
      cognitoDomain: { domainPrefix },
      // The newer managed login: localized pages (zh-CN), passkeys, and TOTP setup at first sign-in.
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // The newer managed login shows a client's pages only with a branding style; Cognito's own.
    const branding = new CfnManagedLoginBranding(this, 'ConsoleBranding', {
      userPoolId: userPool.userPoolId,
      clientId: this.consoleClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);
    this.signInUrl = this.domain.baseUrl();
    this.consoleEnvironment = {
      [ENV.signInUrl]: this.signInUrl,
      [ENV.consoleClientId]: this.consoleClient.userPoolClientId,
      [ENV.consoleUrl]: consoleUrl,
    };

    this.authorizer = new HttpUserPoolAuthorizer('MarketerAuthorizer', userPool, {
      userPoolClients: [this.consoleClient, this.cliClient],
      userPoolRegion: Stack.of(this).region,
    });

    new CfnOutput(Stack.of(this), 'SignInUrl', {
      description: "The managed login of the marketers' console (Cognito)",
      value: this.signInUrl,
    });
    new CfnOutput(Stack.of(this), 'ConsoleClientId', {
      description: "The console's Cognito app client (authorization code with PKCE, no secret)",
      value: this.consoleClient.userPoolClientId,
    });
    new CfnOutput(Stack.of(this), 'CliClientId', {
      description:
        "The command line's Cognito app client: aws cognito-idp initiate-auth --auth-flow USER_PASSWORD_AUTH --client-id <this> ... gives the token for campaign --token",
      value: this.cliClient.userPoolClientId,
    });
  }
}
