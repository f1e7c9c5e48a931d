/**
 * A stand-in AuthFort issuer for `npm start`: a fresh RS256 key pair, its JSON Web Key Set served
 * on loopback the way AuthFort serves it, and tokens signed with AuthFort's claims. It exists so a
 * newcomer sees a real check without an auth server; production `serve` never starts it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** Claims of a demo access token; anything given overrides the defaults. */
export interface DemoClaims {
  readonly sub?: string;
  readonly email?: string;
  readonly name?: string;
  readonly roles?: readonly string[];
  readonly [claim: string]: unknown;
}

/** A running demo issuer. */
export interface DemoIssuer {
  /** Issuer name in `iss` (AuthFort's default, `authfort`). */
  readonly issuer: string;
  /** Where its key set is served. */
  readonly jwksUrl: string;
  /** Signs an access token valid for `ttlSeconds` (default 3600). */
  sign(claims?: DemoClaims, ttlSeconds?: number): Promise<string>;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * Starts a demo issuer on `127.0.0.1:port` (default: a free port).
 */
export async function startDemoIssuer(port = 0): Promise<DemoIssuer> {
  const issuer = 'authfort';
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const body = JSON.stringify({ keys: [publicJwk] });

  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    // AuthFort's own caching header, so the demo exercises the same refresh path as production.
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=3600',
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    issuer,
    jwksUrl: `http://127.0.0.1:${boundPort}/.well-known/jwks.json`,
    async sign(claims = {}, ttlSeconds = 3600) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        roles: ['user'],
        ver: 1,
        sid: randomUUID(),
        mfa_enabled: false,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setSubject(claims.sub ?? 'user-42')
        .setIssuer(issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
