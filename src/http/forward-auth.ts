/**
 * The HTTP forward-auth adapter: a proxy's auth subrequest in, a {@link Decision} out as a status
 * with headers. Two shapes of request arrive here:
 *
 * - `GET /auth[?roles=..&introspect=..]` from NGINX `auth_request`, Traefik ForwardAuth and Caddy
 *   `forward_auth`. The original method and URI come in `X-Original-Method`/`X-Original-URI`
 *   (NGINX, set by the operator's config) or `X-Forwarded-Method`/`X-Forwarded-Uri` (Traefik,
 *   Caddy). The query string is written into the proxy config, so it carries the route policy.
 * - `<method> /auth/<original path>` from Envoy's ext_authz in HTTP mode, which prepends its
 *   `path_prefix` to the original path and keeps the original method. Here the query string is
 *   the client's own, so it never carries policy: only YAML rules apply.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { CheckInput, RequestTarget } from '../decision/authorizer.js';
import { challengeFor, denialBody, type Decision } from '../decision/decision.js';
import { identityHeaders, type IdentityHeader } from '../decision/identity.js';
import { extractToken, type TokenSource } from '../decision/token-source.js';
import { AuthFortError } from '../errors.js';
import { toAuthFortError } from '../jwt/jose-errors.js';
import { policyFromQuery, type RoutePolicy } from '../policy/index.js';

/** The path prefix both request shapes share. */
export const AUTH_PATH = '/auth';

/** How the adapter reads requests and writes answers. */
export interface ForwardAuthOptions {
  /** Where tokens are looked for, in order. */
  readonly tokenSources: readonly TokenSource[];
  /** Claim-to-header mapping for allowed requests. */
  readonly identityHeaders: readonly IdentityHeader[];
  /** `realm` of the `WWW-Authenticate` challenge. */
  readonly realm: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  // A repeated target header is ambiguous; headersDistinct keeps the copies apart to notice it.
  const values = req.headersDistinct[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) {
    throw new AuthFortError('ERR_TOKEN_MALFORMED', `The ${name} header is repeated.`);
  }
  return values[0];
}

function forwardedTargets(req: IncomingMessage): RequestTarget[] {
  const targets: RequestTarget[] = [];
  const pairs = [
    ['x-original-method', 'x-original-uri'],
    ['x-forwarded-method', 'x-forwarded-uri'],
  ] as const;
  for (const [methodHeader, uriHeader] of pairs) {
    const path = header(req, uriHeader);
    if (path === undefined) continue;
    const method = (header(req, methodHeader) ?? req.method ?? 'GET').toUpperCase();
    if (!targets.some((t) => t.method === method && t.path === path))
      targets.push({ method, path });
  }
  return targets;
}

/**
 * Reads a forward-auth request into the core's input, or `undefined` when its path is not an
 * auth endpoint. A request whose token or policy cannot be read becomes an input error, which
 * the core denies.
 */
export function readForwardAuthRequest(
  req: IncomingMessage,
  options: ForwardAuthOptions,
): CheckInput | undefined {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);

  const envoyMode = path.startsWith(`${AUTH_PATH}/`);
  if (path !== AUTH_PATH && !envoyMode) return undefined;

  const readHeader = (name: string) => req.headersDistinct[name];
  const method = (req.method ?? 'GET').toUpperCase();
  let targets: RequestTarget[] = [];
  try {
    targets = envoyMode ? [{ method, path: url.slice(AUTH_PATH.length) }] : forwardedTargets(req);
    const policy: RoutePolicy | undefined = envoyMode
      ? undefined
      : policyFromQuery(new URLSearchParams(query));
    return { token: extractToken(readHeader, options.tokenSources), targets, policy };
  } catch (error) {
    const inputError = toAuthFortError(error);
    return { token: undefined, inputError, targets };
  }
}

/**
 * Writes a decision as the forward-auth answer: 200 with the identity headers, or the status,
 * challenge and JSON body of the error table. NGINX passes only 401 and 403 to the client (any
 * other non-2xx becomes its own 500), which the table's statuses respect.
 */
export function writeDecision(
  res: ServerResponse,
  decision: Decision,
  options: ForwardAuthOptions,
  headOnly: boolean,
): void {
  res.setHeader('cache-control', 'no-store');

  if (decision.allowed) {
    for (const [name, value] of identityHeaders(decision.user, options.identityHeaders).set) {
      res.setHeader(name, value);
    }
    res.writeHead(200, { 'content-length': 0 }).end();
    return;
  }

  const challenge = challengeFor(decision.code, options.realm);
  if (challenge !== undefined) res.setHeader('www-authenticate', challenge);
  const body = denialBody(decision.code);
  res.writeHead(decision.error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(headOnly ? undefined : body);
}
