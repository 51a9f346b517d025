/**
 * Real servers for integration tests, started on 127.0.0.1 from scripts/peers/<name>/start.sh and stopped by
 * PID when their scope closes. Each `startX()` is an `Effect<XPeer, PeerUnavailable, Scope>`; each `LocalX`
 * tag has `LocalX.layer(options?)` for `layer(...)` from @effect/vitest (one server per describe block):
 *
 *   import { describe, expect, layer } from "@effect/vitest"
 *   import { LocalSwift, skipPeers } from "../support/peers/index.js"
 *
 *   describe.skipIf(skipPeers("swift"))("swift provider", () => {
 *     layer(LocalSwift.layer(), { timeout: "120 seconds", excludeTestServices: true })((it) => {
 *       it.effect("lists containers", () => Effect.gen(function*() { const swift = yield* LocalSwift; ... }))
 *     })
 *   })
 *
 * `excludeTestServices: true` keeps the real clock inside the tests (the helpers themselves do not depend on it).
 * Packages come from `bash scripts/peers/install.sh` (Debian, as root) and `npm ci` (s3rver, Azurite, ssh2).
 */
export * from "./runtime.js"
export * from "./s3rver.js"
export * from "./azurite.js"
export * from "./swift.js"
export * from "./keystone.js"
export * from "./powerdns.js"
export * from "./haproxy.js"
export * from "./sshd.js"
