/**
 * Reading an upstream's response body (the key set, the introspection endpoint) with a size cap,
 * so a misbehaving server or an error page in front of it cannot make the service buffer an
 * unbounded amount.
 */

/**
 * The body of `response`, or `undefined` once it is larger than `maxBytes`. A declared
 * `Content-Length` over the cap is refused without reading; the byte count holds as well when it
 * is absent (chunked) or understates a decoded body, and the stream is cancelled the moment it
 * crosses the cap.
 *
 * @param response - a response whose body has not been read yet
 * @param maxBytes - the largest body accepted, in bytes
 * @throws whatever reading the stream throws (a reset connection, an aborted request)
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await discardBody(response);
    return undefined;
  }

  if (response.body === null) return new Uint8Array(0);

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;

    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Releases a response whose body is not wanted, so its connection can be reused or closed. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
