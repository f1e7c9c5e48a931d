// The real Envoy, on the shipped deploy/envoy/envoy-http.yaml, asking the real authfort-service
// over HTTP (ext_authz HTTP mode: /auth + the original path) before an echo upstream. Every test
// is a shared scenario.
import { suiteBinary } from '../support/binaries.js';
import { ENVOY_HTTP, startShippedEnvoy } from './envoy-configs.js';
import { describeProxy } from './scenarios.js';

const envoy = await suiteBinary('envoy');

describeProxy({
  title: 'Envoy ext_authz HTTP mode (envoy-http.yaml) with authfort',
  skip: envoy.skip,
  authfortPort: ENVOY_HTTP.authfortPort,
  start: (target) => startShippedEnvoy(envoy.path(), ENVOY_HTTP, target),
  // authfort matches its rules on the path after Envoy's /auth prefix. In HTTP mode the query
  // string is the client's, and authfort never reads policy from it.
  pathCarrier: '/auth + path',
  // No context_extensions in HTTP mode: route policy comes from authfort's YAML rules alone.
  adminRoute: false,
  // allowed_client_headers passes Content-Type on with WWW-Authenticate: authfort's JSON body
  // reaches the client labelled as JSON.
  denialBodyType: 'application/json',
  // path_with_escaped_slashes_action: UNESCAPE_AND_REDIRECT sends the client to the plain path.
  escapedSlash: 'redirected',
  // failure_mode_allow: false and status_on_error: ServiceUnavailable; a 5xx answer is passed on.
  statusWhenUnreachable: 503,
  statusWithoutKeySet: 503,
});
