import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { Replay } from "../../src/http/index.js"

const defectMessage = <A, E>(exit: Exit.Exit<A, E>): string => {
  if (Exit.isSuccess(exit)) throw new Error("expected a defect, got success")
  const defects = [...Cause.defects(exit.cause)]
  expect(defects).toHaveLength(1)
  const d = defects[0]
  expect(d).toBeInstanceOf(Replay.ReplayMismatch)
  return (d as Error).message
}

const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => Effect.flatMap(client.execute(request), (r) => Effect.map(r.text, (body) => ({ status: r.status, body, headers: r.headers }))))

describe("Replay", () => {
  it.effect("answers in sequence with the recorded responses", () =>
    Effect.gen(function*() {
      const a = yield* send(HttpClientRequest.get("http://api/zones?page=1"))
      const b = yield* send(HttpClientRequest.post("http://api/zones").pipe(HttpClientRequest.bodyText(`{"name":"z"}`, "application/json")))
      expect(a).toMatchObject({ status: 200, body: "[1]" })
      expect(b).toMatchObject({ status: 201, body: "created" })
      expect(b.headers["location"]).toBe("/zones/z")
      yield* Replay.assertDone
      const seen = yield* Replay.requests
      expect(seen.map((r) => r.method)).toEqual(["GET", "POST"])
    }).pipe(
      Effect.provide(
        Replay.layer([
          { request: { method: "GET", url: "http://api/zones?page=1" }, response: { body: "[1]" } },
          {
            request: { method: "POST", path: "/zones", headers: { "content-type": "application/json" }, body: /"name":"z"/ },
            response: { status: 201, headers: { location: "/zones/z" }, body: "created" }
          }
        ])
      )
    ))

  it.effect("sequence mode: an out-of-order request is a defect saying what was expected, with secrets redacted", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        send(
          HttpClientRequest.get("http://api/b?X-Amz-Signature=presigned-secret").pipe(HttpClientRequest.setHeader("authorization", "Bearer header-secret"))
        )
      )
      const message = defectMessage(exit)
      expect(message).toContain("unexpected request GET http://api/b")
      expect(message).toContain("expected exchange #1")
      expect(message).toContain("path: expected /a")
      expect(message).not.toContain("presigned-secret")
      expect(message).not.toContain("header-secret")
    }).pipe(Effect.provide(Replay.layer([{ request: { path: "/a" }, response: {} }]))))

  it.effect("match mode: answers by match, in any order, each exchange once", () =>
    Effect.gen(function*() {
      expect((yield* send(HttpClientRequest.get("http://api/two"))).body).toBe("2")
      expect((yield* send(HttpClientRequest.get("http://api/one"))).body).toBe("1")
      const again = yield* Effect.exit(send(HttpClientRequest.get("http://api/one")))
      expect(defectMessage(again)).toContain("no unused exchange matches")
      yield* Replay.assertDone
    }).pipe(
      Effect.provide(
        Replay.layer(
          [
            { request: { path: "/one" }, response: { body: "1" } },
            { request: { path: "/two" }, response: { body: "2" } }
          ],
          { mode: "match" }
        )
      )
    ))

  it.effect("assertDone dies naming the exchanges never requested", () =>
    Effect.gen(function*() {
      yield* send(HttpClientRequest.get("http://api/one"))
      const message = defectMessage(yield* Effect.exit(Replay.assertDone))
      expect(message).toContain("1 exchange(s) never requested")
      expect(message).toContain("DELETE /two")
    }).pipe(
      Effect.provide(
        Replay.layer([
          { request: { path: "/one" }, response: {} },
          { request: { method: "DELETE", path: "/two" }, response: { status: 204 } }
        ])
      )
    ))

  it.effect("matches URLs as sent: encoding matters, query order does not", () =>
    Effect.gen(function*() {
      yield* send(HttpClientRequest.get("http://api/k?b=2&a=x%20y"))
      const wrong = yield* Effect.exit(send(HttpClientRequest.get("http://api/k?a=x+y&b=2")))
      expect(defectMessage(wrong)).toContain("url: expected")
    }).pipe(
      Effect.provide(
        Replay.layer([
          { request: { url: "http://api/k?a=x%20y&b=2" }, response: {} },
          { request: { url: "http://api/k?a=x%20y&b=2" }, response: {} }
        ])
      )
    ))

  it.effect("query and header matchers: values, RegExps, absence", () =>
    Effect.gen(function*() {
      yield* send(HttpClientRequest.get("http://api/l?prefix=a%20b&max=10").pipe(HttpClientRequest.setHeader("x-ms-version", "2021-08-06")))
      const exit = yield* Effect.exit(send(HttpClientRequest.get("http://api/l?prefix=a%20b&max=5&marker=m").pipe(HttpClientRequest.setHeader("x-ms-version", "2021-08-06"))))
      expect(defectMessage(exit)).toContain("query marker: expected absent")
    }).pipe(
      Effect.provide(
        Replay.layer(
          [{ request: { query: { prefix: "a b", max: /^\d+$/, marker: null }, headers: { "X-MS-Version": /^2021-/, authorization: null } }, response: {}, times: 2 }]
        )
      )
    ))

  it.effect("a body matcher can be bytes or a predicate", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([1, 2, 3])
      yield* send(HttpClientRequest.put("http://api/o").pipe(HttpClientRequest.bodyUint8Array(bytes)))
      yield* send(HttpClientRequest.put("http://api/o").pipe(HttpClientRequest.bodyUint8Array(new Uint8Array(10))))
      yield* Replay.assertDone
    }).pipe(
      Effect.provide(
        Replay.layer([
          { request: { body: new Uint8Array([1, 2, 3]) }, response: {} },
          { request: { body: (b) => b.byteLength === 10 }, response: {} }
        ])
      )
    ))

  it.effect("transportError fails like a dropped connection", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(send(HttpClientRequest.get("http://api/x")))
      expect(error._tag).toBe("RequestError")
    }).pipe(Effect.provide(Replay.layer([{ request: {}, response: { transportError: "ECONNRESET" } }]))))

  it.effect("HEAD and 204 responses have no body", () =>
    Effect.gen(function*() {
      expect((yield* send(HttpClientRequest.head("http://api/x"))).body).toBe("")
      expect((yield* send(HttpClientRequest.del("http://api/x"))).status).toBe(204)
    }).pipe(Effect.provide(Replay.layer([{ request: {}, response: { body: "ignored" } }, { request: {}, response: { status: 204, body: "ignored" } }]))))

  it("provides nothing but HttpClient and Replay (no network)", () => {
    const layer: Layer.Layer<HttpClient.HttpClient | Replay.Replay> = Replay.layer([])
    expect(Layer.isLayer(layer)).toBe(true)
  })
})
