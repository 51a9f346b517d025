/**
 * Download bodies: a range the server did not apply is applied here, and a
 * whole plain object is checked against its MD5 ETag and length as it
 * streams (Swift's ETag of a plain object is the MD5 of its content).
 */
import { Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { IntegrityError } from "../../../schemas/Errors.js"
import type { Where } from "./client.js"

/** Drops the first `start` bytes and stops after `end - start` (a range the server did not apply). */
export const slice = <E>(body: Stream.Stream<Uint8Array, E>, start: number, end: number): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    let at = 0
    return body.pipe(
      Stream.map((chunk) => {
        const from = Math.max(0, start - at)
        const to = Math.min(chunk.byteLength, end - at)
        at += chunk.byteLength
        return from < to ? chunk.subarray(from, to) : new Uint8Array(0)
      }),
      Stream.takeUntil(() => at >= end),
      Stream.filter((chunk) => chunk.byteLength > 0)
    )
  })

/** The body, failing at its end with IntegrityError unless its MD5 and length are what the headers said. */
export const verified = <E>(
  body: Stream.Stream<Uint8Array, E>,
  where: Where,
  key: string,
  etag: string,
  size: number
): Stream.Stream<Uint8Array, E | IntegrityError> =>
  Stream.suspend(() => {
    const hash = createHash("md5")
    let received = 0
    const check = Effect.suspend(() => {
      const actual = hash.digest("hex")
      return received !== size
        ? Effect.fail(new IntegrityError({ ...where, key, expected: `${size} bytes`, actual: `${received} bytes` }))
        : actual !== etag
        ? Effect.fail(new IntegrityError({ ...where, key, expected: etag, actual }))
        : Effect.void
    })
    return Stream.concat(
      Stream.tap(body, (chunk) =>
        Effect.sync(() => {
          hash.update(chunk)
          received += chunk.byteLength
        })),
      Stream.drain(Stream.fromEffect(check))
    )
  })

