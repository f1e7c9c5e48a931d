/**
 * The gRPC adapter: an Envoy `CheckRequest` in, a `CheckResponse` out. Translation only; the
 * decision is the core's.
 */
import type { CheckInput } from '../decision/authorizer.js';
import {
  challengeFor,
  denialBody,
  isDependencyFailure,
  type Decision,
} from '../decision/decision.js';
import { identityHeaders, type IdentityHeader } from '../decision/identity.js';
import { extractToken, type TokenSource } from '../decision/token-source.js';
import { ERRORS, GrpcCode } from '../errors.js';
import { toAuthFortError } from '../jwt/jose-errors.js';
import { policyFromContextExtensions } from '../policy/index.js';
import {
  HeaderAppendAction,
  type CheckRequest,
  type CheckResponseInit,
  type HeaderValueOptionInit,
  type StructInit,
} from './messages.js';

/** How requests are read and answers written. */
export interface CheckAdapterOptions {
  /** Where tokens are looked for, in order. */
  readonly tokenSources: readonly TokenSource[];
  /** Claim-to-header mapping for allowed requests. */
  readonly identityHeaders: readonly IdentityHeader[];
  /** `realm` of the `WWW-Authenticate` challenge. */
  readonly realm: string;
}

// Envoy's defaults for `append` and `append_action` changed across versions, and a set `append`
// overrides `append_action`. Naming the action and leaving `append` unset means the same thing on
// all of them: our value replaces whatever the client sent.
function headerOption(key: string, value: string): HeaderValueOptionInit {
  return { header: { key, value }, append_action: HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD };
}

function requestHeaders(request: CheckRequest): Map<string, string> {
  const http = request.attributes?.request?.http;
  const headers = new Map<string, string>();
  // Envoy sends `headers`, or `header_map` when `encode_raw_headers` is on; read whichever came.
  for (const [key, value] of Object.entries(http?.headers ?? {})) {
    headers.set(key.toLowerCase(), value);
  }
  for (const { key, value, raw_value: raw } of http?.header_map?.headers ?? []) {
    // In raw mode Envoy fills only `raw_value`, one entry per header line.
    const text = raw.length > 0 ? raw.toString('utf8') : value;
    const name = key.toLowerCase();
    // Repeated lines are joined with a comma, as Envoy joins them in `headers`; a repeated
    // Authorization header then reads as one malformed token, never as one of its copies.
    // Cookie lines join with `; ` instead (RFC 9113 section 8.2.3: HTTP/2 clients may send
    // each cookie in its own field), or a cookie in a later line would be lost.
    const previous = headers.get(name);
    const separator = name === 'cookie' ? '; ' : ',';
    headers.set(name, previous === undefined ? text : `${previous}${separator}${text}`);
  }
  return headers;
}

/** Reads a `CheckRequest` into the core's input. Never throws. */
export function readCheckRequest(request: CheckRequest, options: CheckAdapterOptions): CheckInput {
  const http = request.attributes?.request?.http;
  const targets = [{ method: (http?.method ?? '').toUpperCase(), path: http?.path ?? '' }];
  try {
    const headers = requestHeaders(request);
    const token = extractToken((name) => headers.get(name), options.tokenSources);
    const extensions = request.attributes?.context_extensions ?? {};
    return { token, targets, policy: policyFromContextExtensions(extensions) };
  } catch (error) {
    const inputError = toAuthFortError(error);
    return { token: undefined, targets, inputError };
  }
}

// protobufjs compiles google.protobuf.Struct in with camelCase names whatever `keepCase` says;
// snake_case keys here would be dropped without a word and Envoy would see empty values.
function toStruct(value: Record<string, string | readonly string[]>): StructInit {
  const fields: NonNullable<StructInit['fields']> = {};
  for (const [key, item] of Object.entries(value)) {
    fields[key] =
      typeof item === 'string'
        ? { stringValue: item }
        : { listValue: { values: item.map((entry) => ({ stringValue: entry })) } };
  }
  return { fields };
}

/**
 * The `CheckResponse` of a decision, or `undefined` for a dependency failure: the RPC must then
 * fail with UNAVAILABLE so that Envoy's `failure_mode_allow` decides (DESIGN.md).
 */
export function toCheckResponse(
  decision: Decision,
  options: CheckAdapterOptions,
): CheckResponseInit | undefined {
  if (decision.allowed) {
    const { user } = decision;
    const { set, remove } = identityHeaders(user, options.identityHeaders);
    const metadata: Record<string, string | readonly string[]> = {
      sub: user.sub,
      roles: user.roles,
    };
    if (user.email !== undefined) metadata['email'] = user.email;
    if (user.sessionId !== undefined) metadata['sid'] = user.sessionId;
    metadata['iss'] = user.issuer;
    return {
      status: { code: GrpcCode.OK, message: '' },
      ok_response: {
        headers: set.map(([key, value]) => headerOption(key, value)),
        headers_to_remove: [...remove],
      },
      dynamic_metadata: toStruct(metadata),
    };
  }

  if (isDependencyFailure(decision)) return undefined;

  const spec = ERRORS[decision.code];
  const headers = [headerOption('content-type', 'application/json')];
  const challenge = challengeFor(decision.code, options.realm);
  if (challenge !== undefined) headers.push(headerOption('www-authenticate', challenge));
  return {
    status: { code: spec.grpc, message: decision.code },
    denied_response: {
      status: { code: spec.status },
      headers,
      body: denialBody(decision.code),
    },
  };
}
