/**
 * Our ext_authz protos against Envoy's official ones: what Envoy encodes we decode intact, what
 * we encode Envoy decodes intact, and every field we declare has Envoy's name, number and type.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

import {
  AUTHORIZATION_SERVICE_NAME,
  authorizationClientConstructor,
  authorizationServiceDefinition,
  HeaderAppendAction,
  HealthImplementation,
  PROTO_DIR,
  type AuthorizationClientConstructor,
  type AuthorizationHandlers,
  type CheckRequest,
  type CheckResponse,
  type CheckResponseInit,
} from '../../src/grpc/proto.js';
import {
  decodeCheckResponse,
  encodeCheckRequest,
  encodeCheckResponse,
  HealthClient,
  OfficialAuthorizationClient,
  officialAuthorizationDefinition,
  officialRoot,
  ourRoot,
} from '../support/envoy-protos.js';

const ours = authorizationServiceDefinition.Check;
const official = officialAuthorizationDefinition.Check;

/** One field as it sits on the wire: its number and its raw payload. */
interface WireField {
  number: number;
  wireType: number;
  varint?: bigint;
  bytes?: Buffer;
}

/** Splits a message into its top-level fields without any schema, so nothing is interpreted. */
function readWireFields(message: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = message[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };

  while (offset < message.length) {
    const key = varint();
    const field: WireField = { number: Number(key >> 3n), wireType: Number(key & 7n) };
    if (field.wireType === 0) {
      field.varint = varint();
    } else if (field.wireType === 2) {
      const length = Number(varint());
      field.bytes = Buffer.from(message.subarray(offset, offset + length));
      offset += length;
    } else {
      throw new Error(`unexpected wire type ${field.wireType}`);
    }
    fields.push(field);
  }
  return fields;
}

function fieldNumbers(message: Uint8Array): number[] {
  return readWireFields(message).map((field) => field.number);
}

/** The payloads of every length-delimited field `number` (sub-messages, strings). */
function payloads(message: Uint8Array, number: number): Buffer[] {
  return readWireFields(message)
    .filter((field) => field.number === number && field.bytes !== undefined)
    .map((field) => field.bytes as Buffer);
}

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl';
const PATH = '/orders/42/items?expand=price&limit=10';

/** A request as Envoy 1.x sends it by default, including fields our subset leaves out. */
const ENVOY_REQUEST = {
  attributes: {
    source: {
      address: { socket_address: { address: '203.0.113.7', port_value: 51234 } },
      service: 'edge-gateway',
      labels: { app: 'gateway' },
      principal: 'spiffe://cluster.local/ns/edge/sa/gateway',
      certificate: '-----BEGIN%20CERTIFICATE-----',
    },
    destination: {
      address: { socket_address: { address: '10.0.4.12', port_value: 8443 } },
      principal: 'spiffe://cluster.local/ns/shop/sa/orders',
    },
    request: {
      time: { seconds: '1767225600', nanos: 125000000 },
      http: {
        id: '6a1f1c1e-2f0b-4c1e-9a51-1b1d0c6a7e42',
        method: 'POST',
        headers: {
          ':authority': 'api.example.com',
          ':method': 'POST',
          ':path': PATH,
          ':scheme': 'https',
          authorization: `Bearer ${TOKEN}`,
          cookie: 'session=abc123; theme=dark',
          'x-forwarded-for': '203.0.113.7,198.51.100.2',
          'x-request-id': '6a1f1c1e-2f0b-4c1e-9a51-1b1d0c6a7e42',
        },
        path: PATH,
        host: 'api.example.com',
        scheme: 'https',
        size: '-1',
        protocol: 'HTTP/2',
        body: '{"qty":1}',
      },
    },
    context_extensions: { required_roles: 'admin,owner', introspect: 'true' },
    metadata_context: {
      filter_metadata: {
        'envoy.filters.http.jwt_authn': { fields: { iss: { stringValue: 'authfort' } } },
      },
    },
    route_metadata_context: {
      filter_metadata: { authfort: { fields: { tier: { stringValue: 'gold' } } } },
    },
    tls_session: { sni: 'api.example.com' },
  },
};

/** {@link ENVOY_REQUEST} as our server sees it: every field we read, defaults filled. */
const DECODED_REQUEST: CheckRequest = {
  attributes: {
    source: {
      address: {
        socket_address: { address: '203.0.113.7', port_value: 51234, port_specifier: 'port_value' },
        address: 'socket_address',
      },
      principal: 'spiffe://cluster.local/ns/edge/sa/gateway',
    },
    destination: {
      address: {
        socket_address: { address: '10.0.4.12', port_value: 8443, port_specifier: 'port_value' },
        address: 'socket_address',
      },
      principal: 'spiffe://cluster.local/ns/shop/sa/orders',
    },
    request: {
      http: {
        id: '6a1f1c1e-2f0b-4c1e-9a51-1b1d0c6a7e42',
        method: 'POST',
        headers: ENVOY_REQUEST.attributes.request.http.headers,
        header_map: null,
        path: PATH,
        host: 'api.example.com',
        scheme: 'https',
        query: '',
        fragment: '',
        protocol: 'HTTP/2',
      },
    },
    context_extensions: { required_roles: 'admin,owner', introspect: 'true' },
    metadata_context: {
      filter_metadata: {
        'envoy.filters.http.jwt_authn': {
          fields: { iss: { stringValue: 'authfort', kind: 'stringValue' } },
        },
      },
    },
    route_metadata_context: {
      filter_metadata: {
        authfort: { fields: { tier: { stringValue: 'gold', kind: 'stringValue' } } },
      },
    },
  },
};

const OVERWRITE = HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;

/** An allow answer as our server builds it. */
const ALLOW: CheckResponseInit = {
  status: { code: 0, message: '' },
  ok_response: {
    headers: [
      { header: { key: 'x-user-id', value: 'u-1' }, append_action: OVERWRITE },
      { header: { key: 'x-user-email', value: 'ada@example.com' }, append_action: OVERWRITE },
      { header: { key: 'x-user-roles', value: 'admin,owner' }, append_action: OVERWRITE },
    ],
    headers_to_remove: ['x-user-name'],
  },
  dynamic_metadata: {
    fields: {
      sub: { stringValue: 'u-1' },
      roles: { listValue: { values: [{ stringValue: 'admin' }, { stringValue: 'owner' }] } },
    },
  },
};

const CHALLENGE =
  'Bearer realm="authfort", error="invalid_token", error_description="The token has expired"';
const DENY_BODY = '{"error":"invalid_token","code":"ERR_TOKEN_EXPIRED"}';

/** A deny answer as our server builds it. */
const DENY: CheckResponseInit = {
  status: { code: 16, message: 'ERR_TOKEN_EXPIRED' },
  denied_response: {
    status: { code: 401 },
    headers: [
      { header: { key: 'www-authenticate', value: CHALLENGE }, append_action: OVERWRITE },
      { header: { key: 'content-type', value: 'application/json' }, append_action: OVERWRITE },
    ],
    body: DENY_BODY,
  },
};

/** A header option as Envoy decodes one we set with `append_action` and no `append`. */
function decodedOption(key: string, value: string) {
  return {
    header: { key, value, raw_value: Buffer.alloc(0) },
    append: null,
    append_action: OVERWRITE,
    keep_empty_value: false,
  };
}

describe('CheckRequest from Envoy', () => {
  it('keeps every field the adapter reads when Envoy sends the headers map', () => {
    const decoded = ours.requestDeserialize(encodeCheckRequest(ENVOY_REQUEST));

    assert.deepStrictEqual(decoded, DECODED_REQUEST);
  });

  it('keeps raw header lines apart and unsanitized when Envoy sends header_map', () => {
    const rawLines = [
      { key: ':method', raw_value: Buffer.from('GET') },
      { key: ':path', raw_value: Buffer.from(PATH) },
      { key: 'authorization', raw_value: Buffer.from(`Bearer ${TOKEN}`) },
      { key: 'x-forwarded-for', raw_value: Buffer.from('203.0.113.7') },
      { key: 'x-forwarded-for', raw_value: Buffer.from('198.51.100.2') },
      // Latin-1 "café": not UTF-8, so Envoy would have replaced the byte in the headers map.
      { key: 'x-note', raw_value: Buffer.from([0x63, 0x61, 0x66, 0xe9]) },
    ];
    const bytes = encodeCheckRequest({
      attributes: {
        request: { http: { method: 'GET', path: PATH, header_map: { headers: rawLines } } },
      },
    });

    const http = ours.requestDeserialize(bytes).attributes?.request?.http;

    assert.deepStrictEqual(http?.headers, {});
    assert.deepStrictEqual(
      http?.header_map?.headers,
      rawLines.map((line) => ({ key: line.key, value: '', raw_value: line.raw_value })),
    );
  });

  it('decodes an empty request to null attributes instead of throwing', () => {
    assert.deepStrictEqual(ours.requestDeserialize(Buffer.alloc(0)), { attributes: null });
  });
});

describe('CheckResponse to Envoy', () => {
  it('delivers an allow answer with every field Envoy acts on', () => {
    const bytes = ours.responseSerialize(ALLOW);

    assert.deepStrictEqual(decodeCheckResponse(bytes), {
      status: { code: 0, message: '', details: [] },
      http_response: 'ok_response',
      ok_response: {
        headers: [
          decodedOption('x-user-id', 'u-1'),
          decodedOption('x-user-email', 'ada@example.com'),
          decodedOption('x-user-roles', 'admin,owner'),
        ],
        headers_to_remove: ['x-user-name'],
        response_headers_to_add: [],
        query_parameters_to_set: [],
        query_parameters_to_remove: [],
        dynamic_metadata: null,
      },
      dynamic_metadata: {
        fields: {
          sub: { stringValue: 'u-1', kind: 'stringValue' },
          roles: {
            kind: 'listValue',
            listValue: {
              values: [
                { stringValue: 'admin', kind: 'stringValue' },
                { stringValue: 'owner', kind: 'stringValue' },
              ],
            },
          },
        },
      },
    } as CheckResponse);
  });

  it('leaves append off the wire so Envoy follows append_action', () => {
    const okResponse = payloads(ours.responseSerialize(ALLOW), 3);
    assert.equal(okResponse.length, 1);

    const options = payloads(okResponse[0] as Buffer, 2);
    assert.equal(options.length, 3);
    for (const option of options) {
      const fields = readWireFields(option);
      assert.deepStrictEqual(
        fields.map((field) => field.number),
        [1, 3],
      );
      assert.equal(fields[1]?.varint, 2n);
    }
  });

  it('delivers a deny answer with its HTTP status, challenge and body', () => {
    const bytes = ours.responseSerialize(DENY);

    assert.deepStrictEqual(fieldNumbers(bytes), [1, 2]);
    assert.deepStrictEqual(decodeCheckResponse(bytes), {
      status: { code: 16, message: 'ERR_TOKEN_EXPIRED', details: [] },
      http_response: 'denied_response',
      denied_response: {
        status: { code: 401 },
        headers: [
          decodedOption('www-authenticate', CHALLENGE),
          decodedOption('content-type', 'application/json'),
        ],
        body: DENY_BODY,
      },
      dynamic_metadata: null,
    } as CheckResponse);
  });

  it('reads back what Envoy-side code encodes, for the check command', () => {
    const decoded = ours.responseDeserialize(encodeCheckResponse(DENY));

    assert.equal(decoded.status?.code, 16);
    assert.equal(decoded.http_response, 'denied_response');
    assert.equal(decoded.denied_response?.status?.code, 401);
    assert.equal(decoded.denied_response?.headers[0]?.header?.value, CHALLENGE);
    assert.equal(decoded.denied_response?.body, DENY_BODY);
  });

  it('keeps an HTTP status our enum does not name', () => {
    const bytes = ours.responseSerialize({ denied_response: { status: { code: 429 } } });

    assert.equal(decodeCheckResponse(bytes).denied_response?.status?.code, 429);
  });
});

describe('our definitions against the official ones', () => {
  it('encode the same message to identical bytes', () => {
    assert.deepStrictEqual(
      ours.requestSerialize(DECODED_REQUEST),
      official.requestSerialize(DECODED_REQUEST),
    );
    assert.deepStrictEqual(ours.responseSerialize(ALLOW), official.responseSerialize(ALLOW));
    assert.deepStrictEqual(ours.responseSerialize(DENY), official.responseSerialize(DENY));
  });

  it('give every declared field the official name, number, type, label and oneof', () => {
    let compared = 0;
    const visit = (namespace: protobuf.NamespaceBase): void => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type) {
          compareType(nested);
          compared += 1;
        } else if (nested instanceof protobuf.Enum) {
          compareEnum(nested);
        } else if (nested instanceof protobuf.Service) {
          compareService(nested);
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(ourRoot.lookup('envoy') as protobuf.Namespace);
    visit(ourRoot.lookup('google.rpc') as protobuf.Namespace);

    assert.equal(compared, 16, 'every message type of our subset is compared');
  });

  it('name the append actions with the official numbers', () => {
    const values = officialRoot.lookupEnum(
      'envoy.config.core.v3.HeaderValueOption.HeaderAppendAction',
    ).values;

    assert.deepStrictEqual({ ...HeaderAppendAction }, { ...values });
  });

  it('call the same RPC path Envoy calls', () => {
    assert.equal(ours.path, '/envoy.service.auth.v3.Authorization/Check');
    assert.equal(ours.path, official.path);
  });

  it('are found in the proto folder at the package root', () => {
    assert.equal(PROTO_DIR, path.resolve(import.meta.dirname, '..', '..', 'proto'));
  });
});

function typeName(field: protobuf.Field): string {
  return field.resolvedType?.fullName ?? field.type;
}

function compareType(type: protobuf.Type): void {
  const reference = officialRoot.lookupType(type.fullName);
  for (const field of type.fieldsArray) {
    const where = `${type.fullName}.${field.name}`;
    const match = reference.fields[field.name];
    assert.ok(match, `${where} does not exist in Envoy's protos`);
    assert.equal(field.id, match.id, `${where} number`);
    assert.equal(typeName(field), typeName(match), `${where} type`);
    assert.equal(field.repeated, match.repeated, `${where} repeated`);
    assert.equal(field.map, match.map, `${where} map`);
    if (field instanceof protobuf.MapField && match instanceof protobuf.MapField) {
      assert.equal(field.keyType, match.keyType, `${where} map key`);
    }
    assert.equal(field.partOf?.name, match.partOf?.name, `${where} oneof`);
  }
}

function compareEnum(type: protobuf.Enum): void {
  const reference = officialRoot.lookupEnum(type.fullName);
  for (const [name, number] of Object.entries(type.values)) {
    assert.equal(reference.values[name], number, `${type.fullName}.${name}`);
  }
}

function compareService(service: protobuf.Service): void {
  const reference = officialRoot.lookupService(service.fullName);
  for (const method of service.methodsArray) {
    const match = reference.methods[method.name];
    assert.ok(match, `${service.fullName}.${method.name} does not exist in Envoy's protos`);
    assert.equal(method.resolvedRequestType?.fullName, match.resolvedRequestType?.fullName);
    assert.equal(method.resolvedResponseType?.fullName, match.resolvedResponseType?.fullName);
  }
}

describe('clients', () => {
  async function withServer(run: (address: string) => Promise<void>): Promise<void> {
    const server = new Server();
    const handlers: AuthorizationHandlers = {
      Check: (call, callback) => {
        const http = call.request.attributes?.request?.http;
        const allowed = http?.headers['authorization'] === `Bearer ${TOKEN}`;
        callback(null, allowed ? ALLOW : DENY);
      },
    };
    server.addService(authorizationServiceDefinition, handlers);
    new HealthImplementation({
      '': 'SERVING',
      [AUTHORIZATION_SERVICE_NAME]: 'SERVING',
    }).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    try {
      await run(`127.0.0.1:${port}`);
    } finally {
      server.forceShutdown();
    }
  }

  function check(
    Client: AuthorizationClientConstructor,
    address: string,
    request: object,
  ): Promise<CheckResponse> {
    const client = new Client(address, credentials.createInsecure());
    return new Promise<CheckResponse>((resolve, reject) => {
      client.Check(request, (error, response) =>
        error || response === undefined ? reject(error) : resolve(response),
      );
    }).finally(() => client.close());
  }

  it('an official-protos client and ours both reach a server built on our definition', async () => {
    await withServer(async (address) => {
      const fromEnvoy = await check(OfficialAuthorizationClient, address, ENVOY_REQUEST);
      const fromCli = await check(authorizationClientConstructor(), address, {
        attributes: { request: { http: { headers: { authorization: 'Bearer nope' } } } },
      });

      assert.equal(fromEnvoy.http_response, 'ok_response');
      assert.equal(fromEnvoy.ok_response?.headers[0]?.header?.key, 'x-user-id');
      assert.equal(fromCli.denied_response?.status?.code, 401);
    });
  });

  it('the health client reads the serving status', async () => {
    await withServer(async (address) => {
      const client = new HealthClient(address, credentials.createInsecure());
      try {
        const response = await new Promise((resolve, reject) => {
          client.check({ service: AUTHORIZATION_SERVICE_NAME }, (error, value) =>
            error ? reject(error) : resolve(value),
          );
        });
        assert.deepStrictEqual(response, { status: 'SERVING' });
      } finally {
        client.close();
      }
    });
  });
});
