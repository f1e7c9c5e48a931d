/**
 * Reads an introspection response body as UTF-8 text with a size limit.
 */
import { readBoundedBody } from '../upstream/bounded-body.js';

/** Why a body could not be read. */
export type BodyProblem = 'too-large' | 'not-utf8' | 'read-failed';

/** A body read to its end, or why it was not. */
export type BodyResult =
  { readonly text: string } | { readonly problem: BodyProblem; readonly cause?: unknown };

/**
 * Reads `response`'s body as UTF-8 text, giving up past `maxBytes`. A declared `Content-Length`
 * over the limit is refused before reading; a chunked body is counted as it arrives and cancelled
 * as soon as it crosses the limit.
 *
 * @param response A response whose body has not been read yet.
 * @param maxBytes The largest body accepted, in bytes.
 */
export async function readBoundedText(response: Response, maxBytes: number): Promise<BodyResult> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readBoundedBody(response, maxBytes);
  } catch (error) {
    return { problem: 'read-failed', cause: error };
  }
  if (bytes === undefined) return { problem: 'too-large' };

  // RFC 8259 section 8.1: JSON exchanged between systems "MUST be encoded using UTF-8"; a body that
  // is not is refused, not repaired with replacement characters.
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch (error) {
    return { problem: 'not-utf8', cause: error };
  }
}
