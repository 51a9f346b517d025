/**
 * A real OAuth token endpoint for tests: node:http on 127.0.0.1, a random
 * port. It checks what Google checks — the grant type, the RS256 signature
 * against the service account's public key, the claims — and answers a token,
 * or whatever failure the test asks for.
 */
import { createPublicKey, createVerify, type KeyObject } from "node:crypto"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

export type Mode =
  | "ok"
  | "garbage"
  | "bad-shape"
  | "empty-object"
  | "invalid-grant"
  | "echo-assertion"
  | "rate-limited"
  | "forbidden"
  | "server-error"

export interface Received {
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
  readonly contentType: string | undefined
}

export interface TokenServer {
  readonly url: string
  readonly received: Array<Received>
  mode: Mode
  /** Tokens it has issued, in order. */
  readonly issued: Array<string>
  readonly close: () => Promise<void>
}

export const LEAKY_TOKEN = "ya29.LEAKED-ACCESS-TOKEN-c2VjcmV0LXNlY3JldC1zZWNyZXQ"

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const json = (value: string) => JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Record<string, unknown>

export const startTokenServer = async (privateKey: KeyObject): Promise<TokenServer> => {
  const publicKey = createPublicKey(privateKey)
  let server: Server | undefined
  const state: TokenServer = {
    url: "",
    received: [],
    issued: [],
    mode: "ok",
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections()
        server?.close(() => resolve())
      })
  }
  server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers })
        res.end(body)
      }
      const body = new URLSearchParams(await readBody(req))
      if (req.method !== "POST" || body.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return send(400, JSON.stringify({ error: "unsupported_grant_type" }))
      }
      const assertion = body.get("assertion") ?? ""
      const [h = "", p = "", s = ""] = assertion.split(".")
      const valid = createVerify("RSA-SHA256").update(`${h}.${p}`).verify(publicKey, Buffer.from(s, "base64url"))
      if (!valid) return send(400, JSON.stringify({ error: "invalid_grant", error_description: "Invalid JWT Signature." }))
      state.received.push({ header: json(h), claims: json(p), contentType: req.headers["content-type"] })
      switch (state.mode) {
        case "ok": {
          const token = `ya29.test-token-${state.issued.length + 1}`
          state.issued.push(token)
          return send(200, JSON.stringify({ access_token: token, expires_in: 3599, token_type: "Bearer" }))
        }
        case "garbage":
          return send(200, `<html>${LEAKY_TOKEN}</html>`, { "content-type": "text/html" })
        case "bad-shape":
          return send(200, JSON.stringify({ access_token: LEAKY_TOKEN, expires_in: "soon", token_type: "Bearer" }))
        case "empty-object":
          return send(200, "{}")
        case "invalid-grant":
          return send(400, JSON.stringify({ error: "invalid_grant", error_description: "Invalid grant: account not found" }))
        case "echo-assertion":
          return send(401, JSON.stringify({ error: "unauthorized_client", error_description: `bad assertion ${assertion}` }))
        case "rate-limited":
          return send(429, JSON.stringify({ error: "rate_limit_exceeded" }), { "retry-after": "7" })
        case "forbidden":
          return send(403, JSON.stringify({ error: "access_denied", error_description: "IAM says no" }))
        case "server-error":
          return send(503, `<html>backend error ${LEAKY_TOKEN}</html>`, { "content-type": "text/html" })
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, { url: `http://127.0.0.1:${port}/token` })
}
