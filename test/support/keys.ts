/**
 * Test keys and tokens: key pairs for every accepted algorithm, their public JWKs, tokens with
 * AuthFort's claims, and the malicious tokens a verifier must refuse.
 *
 * Every helper uses jose (or plain base64url for the unsigned shapes), never a fixture file, so
 * each test run gets fresh keys.
 */

import { createPublicKey } from 'node:crypto';

import {
  base64url,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

/** The signature algorithms AuthFort verifies by default. */
export type SigningAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/** A key pair with its public JWK. */
export interface SigningKey {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK as an issuer publishes it: `kid`, `alg`, `use: "sig"` and the key. */
  readonly publicJwk: JWK;
  /** The private JWK (with `d`): for key sets that wrongly publish private keys. */
  readonly privateJwk: JWK;
}

let kidCounter = 0;

/**
 * Generates a key pair. RSA keys are 2048 bits (generating one takes ~50-200 ms; reuse them
 * across the tests of a file where you can).
 *
 * @param alg Default `RS256`, AuthFort's algorithm.
 * @param kid Default a unique `<alg>-key-<n>`.
 */
export async function generateSigningKey(
  alg: SigningAlgorithm = 'RS256',
  kid = `${alg.toLowerCase()}-key-${++kidCounter}`,
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, publicJwk, privateJwk };
}

/**
 * A JSON Web Key Set document of the keys' public JWKs.
 *
 * @param keys Key pairs or JWKs (a JWK is used as is, so tests can publish odd ones).
 */
export function jwksOf(...keys: (SigningKey | JWK)[]): { keys: JWK[] } {
  return { keys: keys.map((key) => ('publicJwk' in key ? key.publicJwk : key)) };
}

/** Current time in whole seconds, as JWT `iat`/`exp` use. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Claims of an AuthFort access token; any other claim may be added. */
export interface AuthFortClaims extends JWTPayload {
  sub?: string;
  email?: string;
  name?: string;
  roles?: string[];
  ver?: number;
  sid?: string;
  mfa_enabled?: boolean;
}

/**
 * AuthFort access token claims: `sub`, `email`, `name`, `roles`, `ver`, `sid`, `mfa_enabled`,
 * `iss: "authfort"`, `iat` now and `exp` 15 minutes later. An override of `undefined` removes
 * the claim (to test a missing one).
 *
 * @param overrides Claims to replace, add or (with `undefined`) remove.
 * @param now Issue time in seconds since the epoch. Default now.
 */
export function authFortClaims(
  overrides: Record<string, unknown> = {},
  now: number = nowSeconds(),
): AuthFortClaims {
  const claims: Record<string, unknown> = {
    sub: 'user-1',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    roles: ['user'],
    ver: 1,
    sid: 'session-1',
    mfa_enabled: false,
    iss: 'authfort',
    iat: now,
    exp: now + 900,
    ...overrides,
  };
  return withoutUndefined(claims) as AuthFortClaims;
}

/**
 * Claims of AuthFort's MFA challenge token: signed by the same key, but no `roles`, `ver` or
 * `email`, and `purpose: "mfa_challenge"`. It must never pass as an access token.
 *
 * @param overrides As for {@link authFortClaims}.
 * @param now Issue time in seconds since the epoch. Default now.
 */
export function mfaChallengeClaims(
  overrides: Record<string, unknown> = {},
  now: number = nowSeconds(),
): AuthFortClaims {
  return authFortClaims(
    {
      purpose: 'mfa_challenge',
      roles: undefined,
      ver: undefined,
      email: undefined,
      name: undefined,
      sid: undefined,
      mfa_enabled: undefined,
      exp: now + 300,
      ...overrides,
    },
    now,
  );
}

/** Options of {@link signToken}. */
export interface SignOptions {
  /** Claims; default {@link authFortClaims}() (pass your own to replace them whole). */
  claims?: Record<string, unknown>;
  /** Protected header members added to `{ alg, kid, typ: "JWT" }`; `undefined` removes one. */
  header?: Record<string, unknown>;
}

/**
 * Signs a JWT with the key: header `{ alg, kid, typ: "JWT" }`, AuthFort claims by default.
 *
 * @param key The signing key.
 * @param options Claims and header members.
 */
export async function signToken(key: SigningKey, options: SignOptions = {}): Promise<string> {
  const header: Record<string, unknown> = {
    alg: key.alg,
    kid: key.kid,
    typ: 'JWT',
    ...options.header,
  };

  return new SignJWT(options.claims ?? authFortClaims())
    .setProtectedHeader(withoutUndefined(header) as { alg: string })
    .sign(key.privateKey);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * Assembles a compact JWS from parts, unsigned unless `signature` is given: for shapes no
 * library would produce.
 *
 * @param header The protected header, JSON-encoded as is.
 * @param payload The claims, JSON-encoded as is.
 * @param signature The third segment, already base64url. Default empty.
 */
export function craftToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/**
 * An unsecured JWT (`alg: "none"`, empty signature, RFC 7519 section 6).
 *
 * @param claims Default {@link authFortClaims}().
 * @param kid A `kid` to name, to try to steer key selection.
 */
export function unsecuredToken(claims: Record<string, unknown> = authFortClaims(), kid?: string) {
  return craftToken({ alg: 'none', typ: 'JWT', ...(kid === undefined ? {} : { kid }) }, claims);
}

/** Which bytes of a public key an algorithm-confusion attacker uses as the HMAC secret. */
export type PublicKeySecretForm = 'pem' | 'jwk-json' | 'der';

/**
 * The algorithm-confusion attack: HS256 "signed" with the public key as the shared secret, with
 * the real key's `kid`. A verifier that lets the token pick the algorithm would accept it.
 *
 * @param key The issuer's key pair (only its public half is used, as an attacker would).
 * @param form How the public key is turned into secret bytes. Default `pem` (SPKI PEM).
 * @param claims Default {@link authFortClaims}().
 */
export async function hmacWithPublicKeyToken(
  key: SigningKey,
  form: PublicKeySecretForm = 'pem',
  claims: Record<string, unknown> = authFortClaims(),
): Promise<string> {
  const publicKey = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
  const secret =
    form === 'pem'
      ? Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }))
      : form === 'der'
        ? publicKey.export({ type: 'spki', format: 'der' })
        : Buffer.from(JSON.stringify(key.publicJwk));

  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .sign(new Uint8Array(secret));
}

/**
 * A token signed by `attacker` that embeds the attacker's public key in its header (`jwk`) and
 * points at attacker URLs (`jku`, `x5u`), while naming the issuer's `kid`. Keys must only ever
 * come from the configured key set, so this must fail.
 *
 * @param attacker The attacker's key pair.
 * @param victimKid The `kid` of a key the issuer publishes.
 * @param attackerUrl Where `jku`/`x5u` point (a server the test watches for requests).
 */
export async function embeddedKeyToken(
  attacker: SigningKey,
  victimKid: string,
  attackerUrl = 'https://attacker.invalid/jwks.json',
): Promise<string> {
  return signToken(attacker, {
    header: { kid: victimKid, jwk: attacker.publicJwk, jku: attackerUrl, x5u: attackerUrl },
  });
}

/**
 * The token with its payload replaced and the original signature kept: the signature must no
 * longer verify.
 *
 * @param token A compact JWS.
 * @param claims The new payload.
 */
export function withTamperedPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}
