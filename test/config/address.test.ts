import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatListenAddress, loadConfig, parseListenAddress } from '../../src/config/index.js';
import { assertConfigError, BASE_ENV } from './helpers.js';

describe('listen addresses', () => {
  const good: [string, string, number][] = [
    ['0.0.0.0:9001', '0.0.0.0', 9001],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['localhost:8080', 'localhost', 8080],
    ['authfort.svc.cluster.local:65535', 'authfort.svc.cluster.local', 65535],
    ['[::1]:9001', '::1', 9001],
    ['[::]:0', '::', 0],
    ['[fe80::1]:443', 'fe80::1', 443],
  ];
  for (const [text, host, port] of good) {
    it(`reads ${text}`, () => {
      assert.deepEqual(parseListenAddress(text, 'AUTHFORT_GRPC_ADDR'), { host, port });
    });
  }

  const bad = [
    '9001',
    ':9001',
    '0.0.0.0',
    '0.0.0.0:',
    '0.0.0.0:65536',
    '0.0.0.0:-1',
    '0.0.0.0:http',
    '::1:9001',
    '[::1]9001',
    '[not-ipv6]:9001',
    '999.1.1.1:80',
    '-bad-.example:80',
    'a b:80',
  ];
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assertConfigError(() => parseListenAddress(text, 'AUTHFORT_HTTP_ADDR'), 'AUTHFORT_HTTP_ADDR');
    });
  }

  it('reads the three listener variables', () => {
    const config = loadConfig({
      env: {
        ...BASE_ENV,
        AUTHFORT_GRPC_ADDR: '[::1]:0',
        AUTHFORT_HTTP_ADDR: '127.0.0.1:0',
        AUTHFORT_METRICS_ADDR: 'localhost:9100',
      },
    });
    assert.deepEqual(config.grpc, { host: '::1', port: 0 });
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 0 });
    assert.deepEqual(config.metrics, { host: 'localhost', port: 9100 });
  });

  it('formats IPv6 hosts in brackets', () => {
    assert.equal(formatListenAddress({ host: '::1', port: 9001 }), '[::1]:9001');
    assert.equal(formatListenAddress({ host: '0.0.0.0', port: 0 }), '0.0.0.0:0');
  });
});
