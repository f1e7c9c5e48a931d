// The real Caddy, on the shipped deploy/caddy/Caddyfile, asking the real authfort-service
// (forward_auth to GET /auth) before an echo upstream. Every test is a shared scenario.
import { suiteBinary } from '../support/binaries.js';
import { startCaddy } from '../support/caddy.js';
import { describeProxy } from './scenarios.js';

const caddy = await suiteBinary('caddy');

describeProxy({
  title: 'Caddy forward_auth (Caddyfile) with authfort',
  skip: caddy.skip,
  authfortPort: (ports) => ports.http,
  start: (target) =>
    startCaddy({
      binary: caddy.path(),
      values: { AUTHFORT_HTTP_PORT: target.authfortPort, UPSTREAM_PORT: target.upstreamPort },
    }),
  // The check is always GET /auth; only X-Forwarded-Uri tells authfort the path, as the client
  // sent it (a %2F included), and authfort reads it every way a server might. The query string
  // of the auth uri is the route policy: a uri without a "?" of its own would hand /auth the
  // client's, which "takes no route policy from the client's query string" catches.
  pathCarrier: 'X-Forwarded-Uri',
  // Caddy's path matcher cleans the path and ignores case. Caddy 2.6 puts a placeholder's own
  // text in an identity header authfort's answer lacks; the Caddyfile drops it, which the
  // "claim the token lacks" scenario checks.
  adminRoute: true,
  // forward_auth hands any answer but a 2xx back to the client as it is.
  denialBodyType: 'application/json',
  escapedSlash: 'checked',
  // forward_auth is a reverse_proxy: an auth endpoint it cannot reach is its 502.
  statusWhenUnreachable: 502,
  statusWithoutKeySet: 503,
});
