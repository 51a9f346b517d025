import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import { LocalHaproxy, skipPeers, socketCommand } from "../support/peers/index.js"

const served = (url: string, n: number) =>
  Effect.promise(async () => {
    const out: Array<string> = []
    for (let i = 0; i < n; i++) {
      const res = await fetch(url)
      const body = (await res.text()).trim()
      expect(res.headers.get("x-served-by")).toBe(body)
      out.push(body)
    }
    return out
  })

describe.skipIf(skipPeers("haproxy"))("peer: haproxy", () => {
  layer(LocalHaproxy.layer(), { timeout: "60 seconds", excludeTestServices: true })((it) => {
    it.effect("runtime API answers show stat and traffic reaches the declared backends", () =>
      Effect.gen(function*() {
        const lb = yield* LocalHaproxy
        const stat = yield* lb.runtime("show stat")
        expect(stat).toMatch(/^be,srv1,/m)
        expect(stat).toMatch(/^be,srv2,/m)
        const seen = yield* served(lb.frontendUrl, 4)
        expect(new Set(seen)).toEqual(new Set(["srv1", "srv2"]))
        // the TCP runtime address is the same API
        const info = yield* Effect.promise(() => socketCommand(lb.runtimeAddress, "show info"))
        expect(info).toContain("Name: HAProxy")
      }))

    it.effect("add server at runtime, then rewrite the config and reload", () =>
      Effect.gen(function*() {
        const lb = yield* LocalHaproxy
        const srv3 = lb.backends[2]!
        expect(yield* lb.runtime(`add server be/srv3 ${srv3.host}:${srv3.port}`)).toContain("New server registered")
        yield* lb.runtime("enable server be/srv3")
        expect(new Set(yield* served(lb.frontendUrl, 6))).toEqual(new Set(["srv1", "srv2", "srv3"]))
        // a provider's way to change what the runtime API cannot (balance): edit the config, reload
        const cfg = readFileSync(lb.configPath, "utf8")
        writeFileSync(lb.configPath, cfg.replace(/balance \S+/, "balance leastconn").replace(/(server srv2 .*\n)/, `$1    server srv3 ${srv3.host}:${srv3.port} check\n`))
        yield* lb.reload()
        const stat = yield* lb.runtime("show stat")
        expect(stat).toMatch(/^be,srv3,/m)
        expect(yield* lb.runtime("show backend")).toContain("be")
        expect(new Set(yield* served(lb.frontendUrl, 6))).toEqual(new Set(["srv1", "srv2", "srv3"]))
      }))

    it.effect("a reload with a broken config fails loudly and the old worker keeps serving", () =>
      Effect.gen(function*() {
        const lb = yield* LocalHaproxy
        const cfg = readFileSync(lb.configPath, "utf8")
        writeFileSync(lb.configPath, `${cfg}\nbackend broken\n    nonsense-directive here\n`)
        const result = yield* Effect.either(lb.reload())
        writeFileSync(lb.configPath, cfg)
        expect(result._tag).toBe("Left")
        expect((yield* served(lb.frontendUrl, 2)).length).toBe(2)
      }))
  })
})
