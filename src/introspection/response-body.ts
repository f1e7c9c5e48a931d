/**
 * Reads an introspection response body with a size limit, so a misbehaving endpoint (or a proxy
 * error page in front of it) cannot make the service buffer an unbounded amount per request.
 */

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
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await discard(response);
    return { problem: 'too-large' };
  }

  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;

        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel().catch(() => undefined);
          return { problem: 'too-large' };
        }
        chunks.push(value);
      }
    } catch (error) {
      return { problem: 'read-failed', cause: error };
    }
  }

  // RFC 8259 section 8.1: JSON exchanged between systems "MUST be encoded using UTF-8"; a body that
  // is not is refused, not repaired with replacement characters.
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch (error) {
    return { problem: 'not-utf8', cause: error };
  }
}

/**
 * Releases a response whose body is not wanted, so its connection can be reused or closed.
 *
 * @param response The unwanted response.
 */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
