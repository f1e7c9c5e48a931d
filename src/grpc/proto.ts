/**
 * The ext_authz wire definitions: our own `.proto` files under `<package root>/proto`, loaded
 * with `@grpc/proto-loader`, plus the gRPC health service from `grpc-health-check`.
 *
 * The files hold only the fields this service reads or writes, with Envoy's packages, names
 * and field numbers, so the package need not ship Envoy's whole API tree and the validation
 * and annotation protos it imports. `test/grpc/wire.test.ts` checks them against the official
 * files field by field.
 *
 * @module
 */
import path from 'node:path';

import {
  makeClientConstructor,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientUnaryCall,
  type handleUnaryCall,
  type Metadata,
  type requestCallback,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  loadSync,
  type MethodDefinition,
  type Options,
  type ServiceDefinition,
} from '@grpc/proto-loader';

import type {
  CheckRequest,
  CheckRequestInit,
  CheckResponse,
  CheckResponseInit,
} from './messages.js';

export * from './messages.js';

/**
 * The gRPC health service, as `grpc-health-check` ships it. `HealthImplementation` registers
 * `grpc.health.v1.Health` on a server by itself (`addToServer(server)`; statuses per service
 * name through `setStatus`). `healthService` is its definition, to build clients with
 * `makeClientConstructor(healthService, 'grpc.health.v1.Health')`.
 */
export {
  HealthImplementation,
  service as healthService,
  type ServingStatus,
} from 'grpc-health-check';

/**
 * Absolute path of the folder holding our `.proto` files.
 *
 * Resolved from this module's own location: the module sits two levels below the package
 * root both as `src/grpc/proto.ts` (run by tsx) and as `dist/grpc/proto.js` (built), and
 * `proto/` ships next to `dist/` in the npm package. A bundler that moves this file breaks
 * that assumption.
 */
export const PROTO_DIR: string = path.resolve(import.meta.dirname, '..', '..', 'proto');

/** The `.proto` file, relative to {@link PROTO_DIR}, that declares the Authorization service. */
export const AUTHORIZATION_PROTO_FILE = 'envoy/service/auth/v3/external_auth.proto';

/**
 * Fully qualified name of Envoy's ext_authz service. Also the name to report in the health
 * service, next to the server-wide `''`.
 */
export const AUTHORIZATION_SERVICE_NAME = 'envoy.service.auth.v3.Authorization';

/**
 * How `@grpc/proto-loader` turns messages into plain objects; the shapes in `./messages.ts`
 * follow from these choices, so change them together.
 *
 * - `keepCase: true`: field names stay snake_case as in the `.proto` files and Envoy's
 *   documentation (`context_extensions`, `headers_to_remove`), so a name found in Envoy's docs
 *   can be searched in our code. (protobufjs's pre-compiled well-known types are camelCase
 *   whatever this says: a `Struct` value is `{ stringValue }`.)
 * - `longs: String`: none of our fields is 64-bit today; if one is added (`HttpRequest.size`),
 *   it arrives as a decimal string instead of silently losing precision as a number.
 * - `enums: Number`: `HttpStatus.code` is an open enum whose values are HTTP statuses, so `401`
 *   reads better than `'Unauthorized'`, and a status we did not name still decodes as its
 *   number instead of a mix of names and numbers.
 * - `defaults: true`: proto3 does not tell an absent scalar from its default, so decoding
 *   fills `''`, `0`, `false`, `{}` and `[]` and adapters need no `?? ''`. An absent sub-message
 *   decodes as `null`, which keeps its presence observable (no `header_map` vs an empty one).
 * - `oneofs: true`: a set `oneof` is named by a virtual property, so a client can switch on
 *   `http_response` instead of probing both members.
 * - bytes stay `Buffer` (the default): header `raw_value`s are octets, decoded as the reader
 *   sees fit.
 */
export const PROTO_LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
});

/**
 * The Authorization service definition, typed with our message shapes. The server receives a
 * decoded {@link CheckRequest} and answers with a {@link CheckResponseInit}.
 */
export interface AuthorizationServiceDefinition extends ServiceDefinition {
  Check: MethodDefinition<CheckRequestInit, CheckResponseInit, CheckRequest, CheckResponse>;
}

/** The handlers `server.addService(authorizationServiceDefinition, handlers)` expects. */
export interface AuthorizationHandlers extends UntypedServiceImplementation {
  Check: handleUnaryCall<CheckRequest, CheckResponseInit>;
}

/** The call signatures of `Check` on an {@link AuthorizationClient}, as grpc-js generates them. */
export interface CheckMethod {
  (
    request: CheckRequestInit,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: requestCallback<CheckResponse>,
  ): ClientUnaryCall;
  (
    request: CheckRequestInit,
    metadataOrOptions: Metadata | Partial<CallOptions>,
    callback: requestCallback<CheckResponse>,
  ): ClientUnaryCall;
  (request: CheckRequestInit, callback: requestCallback<CheckResponse>): ClientUnaryCall;
}

/** A grpc-js client of the Authorization service. */
export interface AuthorizationClient extends Client {
  /** `envoy.service.auth.v3.Authorization/Check`. */
  Check: CheckMethod;
  /** The same method under the lower-camel-case alias grpc-js also installs. */
  check: CheckMethod;
}

/** The class {@link authorizationClientConstructor} returns; `address` is `host:port`. */
export type AuthorizationClientConstructor = new (
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
) => AuthorizationClient;

/**
 * The Authorization service definition, loaded from our protos when this module is first
 * imported (a few milliseconds of synchronous reads). Pass it to grpc-js `server.addService`
 * with {@link AuthorizationHandlers}. Its `Check.requestDeserialize` and
 * `Check.responseSerialize` are the exact codecs the server uses on the wire.
 */
export const authorizationServiceDefinition: AuthorizationServiceDefinition = loadSync(
  AUTHORIZATION_PROTO_FILE,
  { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_DIR] },
)[AUTHORIZATION_SERVICE_NAME] as AuthorizationServiceDefinition;

let clientConstructor: AuthorizationClientConstructor | undefined;

/**
 * A grpc-js client class for the Authorization service, built from our protos once and
 * reused. The `check` command uses it to ask a running server the way Envoy would:
 *
 * ```ts
 * const Authorization = authorizationClientConstructor();
 * const client = new Authorization('127.0.0.1:9001', credentials.createInsecure());
 * client.Check({ attributes: { request: { http: { headers } } } }, (err, res) => ...);
 * ```
 */
export function authorizationClientConstructor(): AuthorizationClientConstructor {
  clientConstructor ??= makeClientConstructor(
    authorizationServiceDefinition,
    AUTHORIZATION_SERVICE_NAME,
  ) as unknown as AuthorizationClientConstructor;
  return clientConstructor;
}
