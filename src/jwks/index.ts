/**
 * The remote JSON Web Key Set: fetched from the issuer, kept current, and the key resolver for
 * token verification. See {@link RemoteKeySet}.
 */

export { RemoteKeySet } from './remote-key-set.js';
export type { RemoteKeySetOptions } from './options.js';
export type {
  KeySetState,
  RefreshedEvent,
  RefreshFailedEvent,
  RefreshTrigger,
  RemoteKeySetEvents,
} from './state.js';
export type { SkippedKey, SkipReason } from './key-set-document.js';
