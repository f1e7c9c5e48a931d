/**
 * The two wire styles of token introspection: how a request is written and how an answer is read.
 *
 * AuthFort's endpoint takes JSON and a bearer secret; an RFC 7662 endpoint takes a form body and
 * client credentials. Both answer a JSON object whose `active` member decides. Pure functions, so
 * the exact bytes on the wire are testable without a server.
 */
import type { IntrospectionStyle } from './options.js';

/** OAuth 2.0 client credentials, as RFC 6749 section 2.3.1 sends them in HTTP Basic. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The credential of the `Authorization` header: a bearer secret or client credentials. */
export type Credential = { readonly bearer: string } | ClientCredentials;

/** Headers and body of one introspection request; the method is always `POST`. */
export interface IntrospectionRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the client needs from an answer. */
export interface IntrospectionAnswer {
  /** True only when the answer's `active` member is the JSON value `true`. */
  readonly active: boolean;
  /** The token's `exp` in seconds since the epoch, when an active answer gives one. */
  readonly exp?: number;
  /** The subject the server holds the token for, when an active answer gives one. */
  readonly sub?: string;
  /**
   * The user's roles as the server knows them now, when an active answer gives them (AuthFort
   * does; RFC 7662 defines no such member). Fresher than the token's, which are as old as it is.
   */
  readonly roles?: readonly string[];
}

/**
 * Splits a configured `client_id:client_secret` at its first colon; `undefined` when there is no
 * colon or the client id is empty. The first colon, because a client id rarely holds one while a
 * generated secret may.
 *
 * @param secret The configured secret string.
 */
export function parseCredentials(secret: string): ClientCredentials | undefined {
  const colon = secret.indexOf(':');
  if (colon <= 0) return undefined;
  return { clientId: secret.slice(0, colon), clientSecret: secret.slice(colon + 1) };
}

/**
 * The `Authorization` header value for a credential.
 *
 * For client credentials, RFC 6749 section 2.3.1: "The client identifier is encoded using the
 * "application/x-www-form-urlencoded" encoding algorithm per Appendix B, and the encoded value is
 * used as the username; the client password is encoded using the same algorithm and used as the
 * password." So a `:` inside the secret cannot be mistaken for the separator.
 *
 * @param credential A bearer secret or client credentials.
 */
export function authorizationHeader(credential: Credential): string {
  if ('bearer' in credential) return `Bearer ${credential.bearer}`;

  const userPass = `${formEncode(credential.clientId)}:${formEncode(credential.clientSecret)}`;
  return `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
}

/**
 * The headers and body that ask about `token`.
 *
 * @param style The endpoint's wire style.
 * @param token The token to ask about.
 * @param authorization The ready `Authorization` value, or `undefined` to send none.
 */
export function introspectionRequest(
  style: IntrospectionStyle,
  token: string,
  authorization: string | undefined,
): IntrospectionRequest {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;

  if (style === 'authfort') {
    headers['content-type'] = 'application/json';
    return { headers, body: JSON.stringify({ token }) };
  }

  // RFC 7662 section 2.1: the token goes in an "application/x-www-form-urlencoded" body; the
  // hint is optional but spares the server a lookup in its refresh token store.
  headers['content-type'] = 'application/x-www-form-urlencoded';
  const body = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
  return { headers, body };
}

/**
 * Why a parsed response body is not a usable introspection answer, or `undefined` when it is.
 * RFC 7662 section 2.2 makes `active` a REQUIRED "Boolean indicator", and `exp` an "Integer
 * timestamp"; anything else means the server (or a proxy in front of it) is not answering the
 * question, which is an outage, not a verdict on the token.
 *
 * @param document The parsed JSON body.
 */
export function answerProblem(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return 'is not a JSON object';
  }

  const { active, exp, sub, roles } = document as Record<string, unknown>;
  if (typeof active !== 'boolean') return 'has no boolean "active" member';

  // An inactive answer is believed whatever else it carries: section 2.2 lets the server say
  // nothing more than `{"active": false}`.
  if (!active) return undefined;

  if (exp !== undefined && !(typeof exp === 'number' && Number.isFinite(exp))) {
    return 'has an "exp" member that is not a number';
  }
  if (sub !== undefined && typeof sub !== 'string') return 'has a "sub" member that is not text';
  // Roles decide access: a list that is not plainly a list of strings is not trusted at all.
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    return 'has a "roles" member that is not a list of strings';
  }

  return undefined;
}

/**
 * Reads an answer that {@link answerProblem} accepted.
 *
 * @param document The parsed JSON body, already checked.
 */
export function readAnswer(document: unknown): IntrospectionAnswer {
  const { active, exp, sub, roles } = document as IntrospectionAnswer;
  if (active !== true) return { active: false };
  return {
    active,
    ...(exp !== undefined && { exp }),
    ...(sub !== undefined && { sub }),
    ...(roles !== undefined && { roles: Object.freeze([...roles]) }),
  };
}

// application/x-www-form-urlencoded serialization of one value (WHATWG URL, the algorithm RFC 6749
// Appendix B refers to): spaces become `+`, everything but `*-._` and alphanumerics is escaped.
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice('v='.length);
}
