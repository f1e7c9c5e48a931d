/**
 * Envoy's OFFICIAL ext_authz definitions, read from the `.proto` files `@grpc/grpc-js-xds`
 * vendors (Envoy's `api/` tree and its imports), for tests that must speak to our server
 * exactly as Envoy would, and for checking our own subset against them.
 *
 * Everything here uses our {@link PROTO_LOADER_OPTIONS}, so an object decoded with the official
 * definitions has the shape of ours plus the fields our subset leaves out.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  makeClientConstructor,
  type ChannelCredentials,
  type Client,
  type ClientOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type requestCallback,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

import {
  AUTHORIZATION_PROTO_FILE,
  AUTHORIZATION_SERVICE_NAME,
  healthService,
  PROTO_DIR,
  PROTO_LOADER_OPTIONS,
  type AuthorizationClientConstructor,
  type AuthorizationServiceDefinition,
  type CheckRequest,
  type CheckResponse,
  type ServingStatus,
} from '../../src/grpc/proto.js';

const require = createRequire(import.meta.url);
const xdsDeps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/**
 * Where the official files and their imports live: Envoy's API, googleapis (`google/rpc`),
 * cncf/xds (`udpa/annotations`), protoc-gen-validate (`validate/validate.proto`) and
 * protobufjs's own copies of the well-known types (`google/protobuf/descriptor.proto`).
 */
export const ENVOY_INCLUDE_DIRS: readonly string[] = [
  path.join(xdsDeps, 'envoy-api'),
  path.join(xdsDeps, 'googleapis'),
  path.join(xdsDeps, 'xds'),
  path.join(xdsDeps, 'protoc-gen-validate'),
  path.dirname(require.resolve('protobufjs/package.json')),
];

/** The official Authorization service definition, loaded by proto-loader with our options. */
export const officialAuthorizationDefinition = loadSync(AUTHORIZATION_PROTO_FILE, {
  ...PROTO_LOADER_OPTIONS,
  includeDirs: [...ENVOY_INCLUDE_DIRS],
})[AUTHORIZATION_SERVICE_NAME] as AuthorizationServiceDefinition;

/**
 * Encodes a `CheckRequest` the way Envoy does. Any official field may be given (snake_case),
 * including the ones our subset leaves out, such as `tls_session`.
 */
export function encodeCheckRequest(request: object): Buffer {
  return officialAuthorizationDefinition.Check.requestSerialize(request);
}

/** Decodes a `CheckRequest` with the official definition. */
export function decodeCheckRequest(bytes: Buffer): CheckRequest {
  return officialAuthorizationDefinition.Check.requestDeserialize(bytes);
}

/** Encodes a `CheckResponse` with the official definition. */
export function encodeCheckResponse(response: object): Buffer {
  return officialAuthorizationDefinition.Check.responseSerialize(response);
}

/**
 * Decodes a `CheckResponse` as Envoy reads it: the result also carries the official fields
 * our subset leaves out (`status.details`, `ok_response.query_parameters_to_set`, ...).
 */
export function decodeCheckResponse(bytes: Buffer): CheckResponse {
  return officialAuthorizationDefinition.Check.responseDeserialize(bytes);
}

/** A grpc-js client class for `envoy.service.auth.v3.Authorization` built from Envoy's files. */
export const OfficialAuthorizationClient = makeClientConstructor(
  officialAuthorizationDefinition,
  AUTHORIZATION_SERVICE_NAME,
) as unknown as AuthorizationClientConstructor;

/** A `grpc.health.v1.HealthCheckResponse` as `grpc-health-check`'s definition decodes it. */
export interface HealthCheckResponse {
  status: ServingStatus | 'SERVICE_UNKNOWN';
}

/** A grpc-js client of `grpc.health.v1.Health`; `service: ''` asks about the whole server. */
export interface HealthClient extends Client {
  check(
    request: { service?: string },
    callback: requestCallback<HealthCheckResponse>,
  ): ClientUnaryCall;
  watch(request: { service?: string }): ClientReadableStream<HealthCheckResponse>;
}

/** The class of {@link HealthClient}; `address` is `host:port`. */
export const HealthClient = makeClientConstructor(
  healthService,
  'grpc.health.v1.Health',
) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
) => HealthClient;

/**
 * Parses `file` and its imports with protobufjs itself, for reflection (field numbers, types,
 * enum values) that proto-loader's plain definitions do not expose.
 */
export function loadProtobufRoot(file: string, includeDirs: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    includeDirs.map((dir) => path.join(dir, target)).find((full) => existsSync(full)) ?? target;
  root.loadSync(file, { keepCase: true });
  root.resolveAll();
  return root;
}

/** Envoy's official definitions as a protobufjs root. */
export const officialRoot: protobuf.Root = loadProtobufRoot(
  AUTHORIZATION_PROTO_FILE,
  ENVOY_INCLUDE_DIRS,
);

/** Our own subset as a protobufjs root. */
export const ourRoot: protobuf.Root = loadProtobufRoot(AUTHORIZATION_PROTO_FILE, [PROTO_DIR]);
