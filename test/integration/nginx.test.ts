// The real NGINX, on the shipped deploy/nginx/authfort.conf, asking the real authfort-service
// (auth_request to GET /auth) before an echo upstream. Every test is a shared scenario.
import { suiteBinary } from '../support/binaries.js';
import { startNginx } from '../support/nginx.js';
import { describeProxy } from './scenarios.js';

const nginx = await suiteBinary('nginx');

describeProxy({
  title: 'NGINX auth_request (authfort.conf) with authfort',
  skip: nginx.skip,
  authfortPort: (ports) => ports.http,
  start: (target) =>
    startNginx({
      binary: nginx.path(),
      values: { AUTHFORT_HTTP_PORT: target.authfortPort, UPSTREAM_PORT: target.upstreamPort },
    }),
  // The subrequest is always GET /auth; only X-Original-URI tells authfort the path, as the
  // client sent it (a %2F included), and authfort reads it every way a server might.
  pathCarrier: 'X-Original-URI',
  // NGINX matches locations on the decoded, merged path, and the location ignores case. Its
  // policy travels in the query string of the subrequest, never the client's.
  adminRoute: true,
  // auth_request copies WWW-Authenticate onto a 401 by itself; authfort.conf adds it to a 403
  // only, so that both carry exactly one. The body is NGINX's own error page: no denialBodyType.
  escapedSlash: 'checked',
  // auth_request passes only 2xx, 401 and 403 through. Any other answer of the subrequest (503)
  // and a failed subrequest (connection refused: 502) become NGINX's own 500 for the client.
  // Still closed, but a 500 says "server bug" where 503 said "try again".
  statusWhenUnreachable: 500,
  statusWithoutKeySet: 500,
});
