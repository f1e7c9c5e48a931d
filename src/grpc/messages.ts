/**
 * Plain-object shapes of the ext_authz messages, exactly as `@grpc/proto-loader` yields them
 * with `PROTO_LOADER_OPTIONS` from `./proto.js`, and the looser shapes it accepts.
 *
 * The interfaces describe a *decoded* message: snake_case names as in the `.proto` files,
 * absent scalars filled with their proto3 default (`''`, `0`, `false`), absent maps and lists
 * as `{}` and `[]`, an absent sub-message as `null`, enums as numbers, and a set `oneof`
 * member named by a virtual property (`http_response: 'ok_response'`). An unset `oneof`
 * member is left out, not `null`. {@link MessageInit} derives what the encoder accepts.
 *
 * `google.protobuf.Struct` is the exception to snake_case: protobufjs ships the well-known
 * types pre-compiled with camelCase names, so a value reads `{ stringValue: 'x' }`.
 *
 * @module
 */

/** `envoy.config.core.v3.HeaderValueOption.HeaderAppendAction`: what Envoy does with a header. */
export const HeaderAppendAction = {
  /** Envoy's default: keep existing values and add ours, so a client's copy would survive. */
  APPEND_IF_EXISTS_OR_ADD: 0,
  /** Set only when the request lacks the header. */
  ADD_IF_ABSENT: 1,
  /** Replace any existing value, or add: how identity headers must be set. */
  OVERWRITE_IF_EXISTS_OR_ADD: 2,
  /** Replace an existing value; do nothing when the header is absent. */
  OVERWRITE_IF_EXISTS: 3,
} as const;

/** One of the {@link HeaderAppendAction} numbers. */
export type HeaderAppendAction = (typeof HeaderAppendAction)[keyof typeof HeaderAppendAction];

/** `google.protobuf.Struct`: a JSON object. Envoy reads one as dynamic metadata. */
export interface Struct {
  fields: Record<string, StructValue>;
}

/**
 * `google.protobuf.Value`: one JSON value. Exactly one member is set and `kind` names it;
 * `nullValue` is always `0`.
 */
export interface StructValue {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue';
  nullValue?: 0;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: Struct;
  listValue?: ListValue;
}

/** `google.protobuf.ListValue`: a JSON array. */
export interface ListValue {
  values: StructValue[];
}

/** `google.protobuf.BoolValue`: a boolean whose absence (`null` around it) is observable. */
export interface BoolValue {
  value: boolean;
}

/** `envoy.config.core.v3.SocketAddress`, reduced to an IP peer. */
export interface SocketAddress {
  /** The IP literal, such as `203.0.113.7` or `2001:db8::1`. */
  address: string;
  /** TCP port; left out when Envoy sent none. */
  port_value?: number;
  port_specifier?: 'port_value';
}

/** `envoy.config.core.v3.Address`. A Unix socket or internal peer decodes as `{}`. */
export interface Address {
  socket_address?: SocketAddress;
  address?: 'socket_address';
}

/** `envoy.service.auth.v3.AttributeContext.Peer`: one end of the downstream connection. */
export interface Peer {
  address: Address | null;
  /** The peer's mTLS identity, such as `spiffe://cluster.local/ns/app/sa/web`; `''` without. */
  principal: string;
}

/** `envoy.config.core.v3.HeaderValue`: one header line. */
export interface HeaderValue {
  /** Lower-case header name. */
  key: string;
  /** The value as text; `''` when Envoy sent it in {@link HeaderValue.raw_value} instead. */
  value: string;
  /**
   * The value as bytes, unsanitized. Envoy fills this (not `value`) in a request's
   * `header_map`; HTTP header values are octets, so decode them as latin1.
   */
  raw_value: Buffer;
}

/** `envoy.config.core.v3.HeaderMap`: header lines in order, repeats kept apart. */
export interface HeaderMap {
  headers: HeaderValue[];
}

/** `envoy.config.core.v3.Metadata`: structured metadata keyed by filter namespace. */
export interface Metadata {
  filter_metadata: Record<string, Struct>;
}

/** `envoy.service.auth.v3.AttributeContext.HttpRequest`: the request Envoy is holding. */
export interface HttpRequest {
  /** `x-request-id`. */
  id: string;
  method: string;
  /**
   * Headers by lower-case name, pseudo-headers included; repeated headers arrive joined with
   * `,`. Envoy fills this by default and `header_map` instead when `encode_raw_headers` is
   * set, so a reader must look at both.
   */
  headers: Record<string, string>;
  /** The raw form of the headers; `null` unless the filter sets `encode_raw_headers`. */
  header_map: HeaderMap | null;
  /** Path and query string as the client sent them, not percent-decoded. */
  path: string;
  /** `:authority` or `Host`. */
  host: string;
  /** `http` or `https`. */
  scheme: string;
  /** Always `''` from Envoy: the query string is inside {@link HttpRequest.path}. */
  query: string;
  /** Always `''` from Envoy: clients never send the fragment. */
  fragment: string;
  /** `HTTP/1.1`, `HTTP/2`, `HTTP/3`, ... */
  protocol: string;
}

/** `envoy.service.auth.v3.AttributeContext.Request`. */
export interface AttributeContextRequest {
  http: HttpRequest | null;
}

/** `envoy.service.auth.v3.AttributeContext`: everything Envoy says about the request. */
export interface AttributeContext {
  /** The downstream client of the last hop. */
  source: Peer | null;
  /** The listener that accepted the connection. */
  destination: Peer | null;
  request: AttributeContextRequest | null;
  /**
   * Per-route settings from the Envoy configuration, out of the client's reach: the route
   * policy keys `required_roles` (comma-separated, any-of) and `introspect` (`"true"`).
   */
  context_extensions: Record<string, string>;
  /** Dynamic metadata of the namespaces listed in the filter's `metadata_context_namespaces`. */
  metadata_context: Metadata | null;
  /** Route metadata of the namespaces in `route_metadata_context_namespaces`. */
  route_metadata_context: Metadata | null;
}

/** `envoy.service.auth.v3.CheckRequest` as the server receives it. */
export interface CheckRequest {
  attributes: AttributeContext | null;
}

/** `google.rpc.Status`: the verdict. */
export interface RpcStatus {
  /** `0` allows; any other `google.rpc.Code` denies (16 UNAUTHENTICATED, 7 PERMISSION_DENIED). */
  code: number;
  /** For logs and debugging: Envoy decides on the code alone and never shows this to clients. */
  message: string;
}

/** `envoy.config.core.v3.HeaderValueOption`: a header to set and how. */
export interface HeaderValueOption {
  header: HeaderValue | null;
  /**
   * Deprecated. Leave it unset (`null`): when present Envoy obeys it and ignores
   * {@link HeaderValueOption.append_action}.
   */
  append: BoolValue | null;
  /** Defaults to `APPEND_IF_EXISTS_OR_ADD` (0), which would keep a client's forged copy. */
  append_action: HeaderAppendAction;
  /** Without it Envoy drops a header whose value is empty. */
  keep_empty_value: boolean;
}

/** `envoy.type.v3.HttpStatus`. */
export interface HttpStatus {
  /** The HTTP status number itself, such as `401`. Never `0`: Envoy's schema forbids it. */
  code: number;
}

/** `envoy.service.auth.v3.DeniedHttpResponse`: the answer the client receives on a denial. */
export interface DeniedHttpResponse {
  /** Envoy answers 403 when this is `null`. */
  status: HttpStatus | null;
  /** Response headers, such as `www-authenticate`. */
  headers: HeaderValueOption[];
  body: string;
}

/** `envoy.service.auth.v3.OkHttpResponse`: how Envoy rewrites an allowed request. */
export interface OkHttpResponse {
  /** Headers set on the request before it goes upstream. */
  headers: HeaderValueOption[];
  /** Header names removed from the request; Envoy ignores pseudo-headers and `host` here. */
  headers_to_remove: string[];
  /** Headers added to the response the client eventually receives. */
  response_headers_to_add: HeaderValueOption[];
}

/** `envoy.service.auth.v3.CheckResponse` as a client receives it. */
export interface CheckResponse {
  /** Envoy treats a `null` status as code 0 and allows the request. */
  status: RpcStatus | null;
  http_response?: 'denied_response' | 'ok_response';
  denied_response?: DeniedHttpResponse;
  ok_response?: OkHttpResponse;
  /** Stored under the `envoy.filters.http.ext_authz` namespace for later filters and logs. */
  dynamic_metadata: Struct | null;
}

/** Fields of a message the encoder accepts: any may be left out, a sub-message may be `null`. */
type FieldInit<V> = V extends Uint8Array
  ? Uint8Array
  : V extends readonly (infer E)[]
    ? FieldInit<E>[]
    : V extends object
      ? MessageInit<V> | null
      : V;

/**
 * What the encoder accepts for a message whose decoded shape is `T`: every field optional
 * (left out means the proto3 default), sub-messages may be `null`, and the virtual `oneof`
 * properties are ignored. A decoded message is always a valid `MessageInit` of its type.
 */
export type MessageInit<T> = { [K in keyof T]?: FieldInit<T[K]> };

/** A `CheckRequest` to send, as the `check` command builds it. */
export type CheckRequestInit = MessageInit<CheckRequest>;

/** A `CheckResponse` to send, as the server's `Check` handler builds it. */
export type CheckResponseInit = MessageInit<CheckResponse>;

/** A header to set, as the server writes it into a {@link CheckResponseInit}. */
export type HeaderValueOptionInit = MessageInit<HeaderValueOption>;

/** A `google.protobuf.Struct` to send, such as `dynamic_metadata`. */
export type StructInit = MessageInit<Struct>;
