/**
 * The one decision core both transports share: (token, method, path, route policy) → Decision.
 */
import { AuthFortError } from '../errors.js';
import type { VerifiedUser } from '../jwt/claims.js';
import { toAuthFortError } from '../jwt/jose-errors.js';
import { mergePolicies, unmetRoleSet, type RoutePolicy, type RouteTable } from '../policy/index.js';
import { allow, deny, type Decision } from './decision.js';

const NO_TARGET =
  'Route rules are configured but the proxy sent no X-Original-URI or X-Forwarded-Uri header.';

/** What an adapter hands the core for one request. */
export interface CheckInput {
  /** The bearer token, or `undefined` when the request carries none. */
  readonly token: string | undefined;
  /**
   * Set when the adapter could not read the request's token or policy (a repeated Authorization
   * header, a junk `context_extensions` value): the core denies with it.
   */
  readonly inputError?: AuthFortError;
  /**
   * The original request's method and path, as the proxy reported them. Usually one; when a
   * request names its target in several ways (NGINX's `X-Original-URI` beside Caddy's
   * `X-Forwarded-Uri`), each is matched and the strictest policy applies, so a header a client
   * adds can only ever make the check stricter.
   */
  readonly targets: readonly RequestTarget[];
  /** Policy the proxy operator attached to this route (context_extensions or query string). */
  readonly policy?: RoutePolicy;
}

/** The method and path of the request being authorized. */
export interface RequestTarget {
  /** HTTP method, upper-case. */
  readonly method: string;
  /** Path as the proxy saw it; query and fragment may be included (rule matching strips them). */
  readonly path: string;
}

/** Verifies a token; `ServiceAuth` and `TokenVerifier` both fit. */
export interface TokenChecker {
  verifyToken(token: string): Promise<VerifiedUser>;
}

/** What the auth server says of a token now. */
export interface IntrospectionVerdict {
  /** Whether the token is still active. */
  readonly active: boolean;
  /** For an active token, the subject the server holds it for, when it says. */
  readonly sub?: string;
  /** For an active token, the user's roles as the server knows them now, when it says. */
  readonly roles?: readonly string[];
}

/** Asks the auth server about a token in real time (RFC 7662 or AuthFort's endpoint). */
export interface Introspector {
  /** The server's verdict; rejects with `ERR_INTROSPECTION_UNAVAILABLE` on failure. */
  introspect(token: string): Promise<IntrospectionVerdict>;
}

/** What the core is built from. */
export interface AuthorizerOptions {
  readonly verifier: TokenChecker;
  /** YAML route rules; matched on method and path before the per-request policy merges in. */
  readonly routes?: RouteTable;
  /** Introspection client; routes that ask for introspection without one are answered 503. */
  readonly introspector?: Introspector;
}

/** Turns one request into a {@link Decision}. Never throws: a failure is a denial. */
export class Authorizer {
  readonly #verifier: TokenChecker;
  readonly #routes: RouteTable | undefined;
  readonly #introspector: Introspector | undefined;

  /** @param options - the verifier, the route rules and the optional introspection client. */
  constructor(options: AuthorizerOptions) {
    this.#verifier = options.verifier;
    this.#routes = options.routes;
    this.#introspector = options.introspector;
  }

  /** Decides one request. */
  async check(input: CheckInput): Promise<Decision> {
    try {
      return await this.#check(input);
    } catch (error) {
      // A failure is a denial, never an allow. Our own errors keep their code (a key set outage
      // stays a 503); anything unexpected becomes ERR_INTERNAL.
      return deny(toAuthFortError(error));
    }
  }

  async #check(input: CheckInput): Promise<Decision> {
    if (input.inputError !== undefined) return deny(input.inputError);

    const routes = this.#routes;
    if (routes !== undefined && routes.size > 0 && input.targets.length === 0) {
      // Rules exist but the proxy did not say which request it asks about: matching nothing
      // would quietly open every ruled route, so the misconfigured proxy gets a 500 instead.
      return deny(new AuthFortError('ERR_CONFIG_INVALID', NO_TARGET, { key: 'X-Original-URI' }));
    }
    const matched = routes
      ? input.targets.map(({ method, path }) => routes.match(method, path))
      : [];
    const policy = mergePolicies(...matched, input.policy);

    if (input.token === undefined) return deny(new AuthFortError('ERR_TOKEN_MISSING'));

    const user = await this.#verifier.verifyToken(input.token);

    // The token's own roles first: a request they refuse costs the auth server nothing.
    if (unmetRoleSet(policy, user.roles) !== undefined) {
      return deny(new AuthFortError('ERR_ROLE_MISSING'));
    }

    if (!policy.introspect) return allow(user);

    // DESIGN.md: never silently downgrade a route that asks for introspection to JWKS-only.
    if (this.#introspector === undefined) {
      return deny(new AuthFortError('ERR_INTROSPECTION_NOT_CONFIGURED'));
    }
    const verdict = await this.#introspector.introspect(input.token);
    if (!verdict.active) return deny(new AuthFortError('ERR_TOKEN_INACTIVE'));
    if (verdict.sub !== undefined && verdict.sub !== user.sub) {
      return deny(
        new AuthFortError('ERR_TOKEN_INACTIVE', 'The auth server names another subject.'),
      );
    }
    if (verdict.roles === undefined) return allow(user);

    // A token's roles are as old as the token: a user demoted since must not keep the routes
    // that were worth asking the auth server about. The current roles must meet the policy too,
    // and they are the ones passed on.
    if (unmetRoleSet(policy, verdict.roles) !== undefined) {
      return deny(new AuthFortError('ERR_ROLE_MISSING'));
    }
    return allow(Object.freeze({ ...user, roles: verdict.roles }));
  }
}
