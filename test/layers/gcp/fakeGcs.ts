/**
 * A minimal in-process Cloud Storage for tests: node:http on 127.0.0.1, a
 * random port. No GCS runs here, so this speaks the JSON API's documented
 * wire shapes — each handler names the reference page its shapes come from —
 * and nothing more. It is not cloudfx's code in disguise: it parses what a
 * client sends (Content-Range, multipart/related, Range, JWT assertions) and
 * refuses what GCS refuses.
 *
 * - An OAuth token endpoint (`/token`) that verifies the RS256 assertion
 *   with the service account's public key, as Google does, and issues tokens;
 *   every storage request must carry one of them (`revokeTokens` makes them
 *   all invalid: the next request is a 401).
 * - Buckets, IAM policy, objects (list, get, alt=media with Range, delete,
 *   rewrite, compose), uploads (multipart, resumable with 308/Range, DELETE
 *   to cancel), and XML-API GET/PUT of an object for public (allUsers) or V4
 *   signed-URL access.
 * - Faults for tests: drop the connection in the middle of the next
 *   resumable chunk, or answer it 503.
 */
import { createHash, createPublicKey, createVerify, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { verifyV4 } from "./v4.js"

const CHUNK_UNIT = 256 * 1024
const PROJECT = "cfx-test-project"
const PROJECT_NUMBER = "424242424242"

interface StoredObject {
  readonly data: Buffer
  readonly generation: number
  readonly contentType: string
  readonly metadata: Record<string, string>
  readonly storageClass: string
  readonly created: Date
  readonly md5: string | undefined
  readonly crc32c: string
  readonly componentCount: number | undefined
}

interface Bucket {
  readonly name: string
  readonly created: Date
  readonly location: string
  readonly storageClass: string
  readonly objects: Map<string, StoredObject>
  policy: { version: number; etag: string; bindings: Array<{ role: string; members: Array<string> }> }
}

interface UploadSession {
  readonly bucket: string
  readonly name: string
  readonly contentType: string
  readonly metadata: Record<string, string>
  readonly storageClass: string
  readonly ifGenerationMatch: number | undefined
  readonly parts: Array<Buffer>
  persisted: number
  state: "open" | "done" | "cancelled"
  result?: StoredObject
}

export interface Received {
  readonly method: string
  /** Raw (encoded) path and query. */
  readonly url: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly bodyBytes: number
}

export interface FakeGcs {
  /** http://127.0.0.1:<port> — the `endpoint`. */
  readonly url: string
  readonly tokenUrl: string
  readonly project: string
  /** The service-account key (JSON text) whose token_uri is this server's. */
  readonly keyJson: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** Tokens issued, in order. */
  readonly issued: Array<string>
  /** Every request but the token endpoint's, in order. */
  readonly received: Array<Received>
  /** Access-token lifetime it hands out (seconds). */
  tokenLifetime: number
  /** Makes every token issued so far invalid. */
  readonly revokeTokens: () => void
  /** The next resumable chunk: keep this many of its bytes (rounded down to 256 KiB), then drop the connection. */
  dropNextChunkAfter: number | undefined
  /** The next resumable chunk is answered 503 without storing anything. */
  failNextChunk: boolean
  /** Bytes a rewrite copies per call (GCS takes several calls for large objects). */
  rewriteBytesPerCall: number
  readonly objectSha256: (bucket: string, name: string) => string | undefined
  readonly openSessions: () => number
  readonly close: () => Promise<void>
}

// ---------------------------------------------------------------- checksums (independent of src/)

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()
export const crc32c = (data: Uint8Array): string => {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  const out = Buffer.alloc(4)
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0)
  return out.toString("base64")
}
export const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("base64")

// ---------------------------------------------------------------- wire shapes

/** https://cloud.google.com/storage/docs/json_api/v1/status-codes: `{"error": {"errors": [{domain, reason, message}], code, message}}` */
const errorBody = (code: number, reason: string, message: string) =>
  JSON.stringify({ error: { errors: [{ domain: "global", reason, message }], code, message } })

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))
const enc = (s: string) => encodeURIComponent(s)

/** https://cloud.google.com/storage/docs/json_api/v1/objects#resource: int64s as strings, hashes base64. */
const objectResource = (base: string, bucket: string, name: string, o: StoredObject) => ({
  kind: "storage#object",
  id: `${bucket}/${name}/${o.generation}`,
  selfLink: `${base}/storage/v1/b/${enc(bucket)}/o/${enc(name)}`,
  mediaLink: `${base}/download/storage/v1/b/${enc(bucket)}/o/${enc(name)}?generation=${o.generation}&alt=media`,
  name,
  bucket,
  generation: String(o.generation),
  metageneration: "1",
  contentType: o.contentType,
  storageClass: o.storageClass,
  size: String(o.data.length),
  ...(o.md5 === undefined ? {} : { md5Hash: o.md5 }),
  crc32c: o.crc32c,
  etag: Buffer.from(`${o.generation}-1`).toString("base64"),
  timeCreated: o.created.toISOString(),
  updated: o.created.toISOString(),
  timeStorageClassUpdated: o.created.toISOString(),
  ...(Object.keys(o.metadata).length === 0 ? {} : { metadata: o.metadata }),
  ...(o.componentCount === undefined ? {} : { componentCount: o.componentCount })
})

/** https://cloud.google.com/storage/docs/json_api/v1/buckets#resource */
const bucketResource = (base: string, b: Bucket) => ({
  kind: "storage#bucket",
  selfLink: `${base}/storage/v1/b/${enc(b.name)}`,
  id: b.name,
  name: b.name,
  projectNumber: PROJECT_NUMBER,
  metageneration: "1",
  location: b.location,
  storageClass: b.storageClass,
  etag: "CAE=",
  timeCreated: b.created.toISOString(),
  updated: b.created.toISOString(),
  iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
  locationType: "multi-region"
})

/** https://cloud.google.com/storage/docs/buckets#naming (the format rules). */
const validBucketName = (name: string) =>
  /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(name) && !name.startsWith("goog") && !/g[o0][o0]gle/.test(name)

/** https://cloud.google.com/storage/docs/objects#naming */
const validObjectName = (name: string) =>
  name.length > 0 && Buffer.byteLength(name) <= 1024 && !/[\r\n]/.test(name) && name !== "." && name !== ".." &&
  !name.startsWith(".well-known/acme-challenge/")

// ---------------------------------------------------------------- the server

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** multipart/related (RFC 2387) as GCS's multipart upload expects: a JSON metadata part, then the media part. */
const parseRelated = (body: Buffer, contentType: string): Array<{ readonly type: string; readonly data: Buffer }> | undefined => {
  const m = /boundary="?([^";]+)"?/i.exec(contentType)
  if (!/^multipart\/related/i.test(contentType) || m === null) return undefined
  const delimiter = Buffer.from(`--${m[1]}`)
  const parts: Array<{ type: string; data: Buffer }> = []
  let at = body.indexOf(delimiter)
  while (at !== -1) {
    const after = at + delimiter.length
    if (body.subarray(after, after + 2).toString() === "--") return parts
    const headerEnd = body.indexOf("\r\n\r\n", after)
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd)
    if (headerEnd === -1 || next === -1) return undefined
    const headers = body.subarray(after + 2, headerEnd).toString("latin1")
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? ""
    parts.push({ type, data: body.subarray(headerEnd + 4, next) })
    at = next + 2
  }
  return undefined
}

export const startFakeGcs = async (): Promise<FakeGcs> => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const buckets = new Map<string, Bucket>()
  const sessions = new Map<string, UploadSession>()
  const valid = new Set<string>()
  let generationCounter = Date.now() * 1000
  let policyCounter = 0
  let server: Server | undefined
  let base = ""

  const state: FakeGcs = {
    url: "",
    tokenUrl: "",
    project: PROJECT,
    keyJson: "",
    privateKey,
    publicKey,
    issued: [],
    received: [],
    tokenLifetime: 3599,
    revokeTokens: () => valid.clear(),
    dropNextChunkAfter: undefined,
    failNextChunk: false,
    rewriteBytesPerCall: Number.POSITIVE_INFINITY,
    objectSha256: (bucket, name) => {
      const o = buckets.get(bucket)?.objects.get(name)
      return o === undefined ? undefined : createHash("sha256").update(o.data).digest("hex")
    },
    openSessions: () => [...sessions.values()].filter((s) => s.state === "open").length,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections()
        server?.close(() => resolve())
      })
  }

  const store = (bucket: Bucket, name: string, o: Omit<StoredObject, "generation" | "created" | "md5" | "crc32c">, composite = false) => {
    const stored: StoredObject = {
      ...o,
      generation: ++generationCounter,
      created: new Date(),
      md5: composite ? undefined : md5(o.data),
      crc32c: crc32c(o.data)
    }
    bucket.objects.set(name, stored)
    return stored
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", base)
    const rawPath = (req.url ?? "/").split("?")[0]!
    const segments = rawPath.split("/").slice(1).map((s) => decodeURIComponent(s))
    const body = await readBody(req)
    const q = (name: string) => url.searchParams.get(name) ?? undefined
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      const text = payload === undefined ? "" : typeof payload === "string" ? payload : JSON.stringify(payload)
      res.writeHead(status, { ...(text === "" ? {} : { "content-type": "application/json; charset=UTF-8" }), ...headers })
      res.end(text)
    }
    const fail = (code: number, reason: string, message: string) => {
      res.writeHead(code, { "content-type": "application/json; charset=UTF-8" })
      res.end(errorBody(code, reason, message))
    }

    // ------------------------------------------------ OAuth token endpoint
    // https://developers.google.com/identity/protocols/oauth2/service-account#httprest
    if (rawPath === "/token") {
      const form = new URLSearchParams(body.toString("utf8"))
      const assertion = form.get("assertion") ?? ""
      const [h = "", p = "", s = ""] = assertion.split(".")
      const signed = form.get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer" &&
        createVerify("RSA-SHA256").update(`${h}.${p}`).verify(publicKey, Buffer.from(s, "base64url"))
      const claims = signed ? JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown> : {}
      const now = Date.now() / 1000
      if (
        !signed || claims["aud"] !== state.tokenUrl || typeof claims["scope"] !== "string" ||
        !(claims["scope"] as string).includes("devstorage") || typeof claims["exp"] !== "number" || claims["exp"] < now
      ) {
        return send(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." })
      }
      const token = `ya29.fake-${state.issued.length + 1}-${randomBytes(12).toString("hex")}`
      state.issued.push(token)
      valid.add(token)
      return send(200, { access_token: token, expires_in: state.tokenLifetime, token_type: "Bearer" })
    }

    state.received.push({ method: req.method ?? "", url: req.url ?? "", headers: { ...req.headers }, bodyBytes: body.length })

    // ------------------------------------------------ XML API: public and signed-URL object access
    // https://cloud.google.com/storage/docs/xml-api/get-object-download, put-object-upload
    if (segments[0] !== "storage" && segments[0] !== "upload") {
      const [bucketName = "", ...rest] = segments
      const name = rest.join("/")
      const bucket = buckets.get(bucketName)
      const hostOnly = (req.headers.host ?? "").replace(/:\d+$/, "")
      const signedOk = url.searchParams.has("X-Goog-Signature") &&
        verifyV4(req.method ?? "", req.url ?? "", hostOnly, publicKey, new Date()).ok
      const publicRead = req.method === "GET" &&
        bucket?.policy.bindings.some((b) => b.role === "roles/storage.objectViewer" && b.members.includes("allUsers")) === true
      const xmlError = (status: number, code: string) => {
        res.writeHead(status, { "content-type": "application/xml; charset=UTF-8" })
        res.end(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${code}</Message></Error>`)
      }
      if (!signedOk && !publicRead) return xmlError(403, "AccessDenied")
      if (bucket === undefined) return xmlError(404, "NoSuchBucket")
      if (req.method === "PUT") {
        const o = store(bucket, name, {
          data: body,
          contentType: req.headers["content-type"] ?? "application/octet-stream",
          metadata: {},
          storageClass: "STANDARD",
          componentCount: undefined
        })
        res.writeHead(200, { etag: `"${Buffer.from(o.md5!, "base64").toString("hex")}"` })
        return void res.end()
      }
      const o = bucket.objects.get(name)
      if (o === undefined) return xmlError(404, "NoSuchKey")
      res.writeHead(200, { "content-type": o.contentType, "content-length": String(o.data.length) })
      return void res.end(o.data)
    }

    // ------------------------------------------------ authentication
    // https://cloud.google.com/storage/docs/json_api/v1/status-codes#401-unauthorized
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")
    const isSession = segments[0] === "upload" && url.searchParams.has("upload_id")
    // A session URI authenticates its own requests; anything else needs a token we issued.
    if (!isSession && (auth === null || !valid.has(auth[1]!))) {
      return fail(401, auth === null ? "required" : "authError", auth === null ? "Login Required" : "Invalid Credentials")
    }

    const noBucket = () => fail(404, "notFound", "The specified bucket does not exist.")

    // ------------------------------------------------ uploads
    // https://cloud.google.com/storage/docs/performing-resumable-uploads
    // https://cloud.google.com/storage/docs/uploading-objects (JSON API multipart)
    if (segments[0] === "upload") {
      const bucketName = segments[4] ?? ""
      if (isSession) {
        const id = q("upload_id")!
        const session = sessions.get(id)
        if (session === undefined) return fail(404, "notFound", "No such upload session.")
        if (req.method === "DELETE") {
          if (session.state === "open") session.state = "cancelled"
          // "If successful, the response contains a 499 status code."
          res.writeHead(499)
          return void res.end()
        }
        if (session.state === "cancelled") return fail(410, "gone", "The upload session has been cancelled.")
        const range = /^bytes (\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(req.headers["content-range"] ?? "")
        if (req.method !== "PUT" || range === null) return fail(400, "invalid", "Invalid Content-Range.")
        const total = range[4] === "*" ? undefined : Number(range[4])
        const finished = (o: StoredObject) => send(200, objectResource(base, session.bucket, session.name, o))
        if (session.state === "done") return finished(session.result!)
        const incomplete = () => {
          // 308 with `Range: bytes=0-<last persisted>`, no Range when nothing is persisted.
          res.writeHead(308, session.persisted === 0 ? {} : { range: `bytes=0-${session.persisted - 1}` })
          res.end()
        }
        const finalize = () => {
          const bucket = buckets.get(session.bucket)
          if (bucket === undefined) return noBucket()
          const data = Buffer.concat(session.parts)
          if (session.ifGenerationMatch !== undefined && (bucket.objects.get(session.name)?.generation ?? 0) !== session.ifGenerationMatch) {
            session.state = "cancelled"
            return fail(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
          }
          const o = store(bucket, session.name, { data, contentType: session.contentType, metadata: session.metadata, storageClass: session.storageClass, componentCount: undefined })
          session.state = "done"
          session.result = o
          return finished(o)
        }
        if (range[1] === "*") {
          if (body.length !== 0) return fail(400, "invalid", "A status query has no body.")
          if (total !== undefined && total === session.persisted) return finalize()
          return incomplete()
        }
        const first = Number(range[2])
        const last = Number(range[3])
        if (last - first + 1 !== body.length) return fail(400, "invalid", "Content-Range does not match the body length.")
        if (total === undefined && body.length % CHUNK_UNIT !== 0) {
          return fail(400, "invalid", "Chunks other than the last must be a multiple of 256 KiB.")
        }
        if (total !== undefined && last + 1 !== total) return fail(400, "invalid", "The last chunk must end at the total size.")
        if (first > session.persisted) return incomplete()
        if (state.failNextChunk) {
          state.failNextChunk = false
          return fail(503, "backendError", "Backend Error")
        }
        const fresh = body.subarray(session.persisted - first)
        if (state.dropNextChunkAfter !== undefined) {
          const keep = Math.min(fresh.length, Math.floor(state.dropNextChunkAfter / CHUNK_UNIT) * CHUNK_UNIT)
          state.dropNextChunkAfter = undefined
          session.parts.push(Buffer.from(fresh.subarray(0, keep)))
          session.persisted += keep
          return void req.socket.destroy()
        }
        session.parts.push(Buffer.from(fresh))
        session.persisted += fresh.length
        if (total !== undefined && session.persisted === total) return finalize()
        return incomplete()
      }
      if (req.method !== "POST" || segments[1] !== "storage" || segments[3] !== "b" || segments[5] !== "o") {
        return fail(404, "notFound", "Not Found")
      }
      const bucket = buckets.get(bucketName)
      if (bucket === undefined) return noBucket()
      const ifGenerationMatch = q("ifGenerationMatch") === undefined ? undefined : Number(q("ifGenerationMatch"))
      const uploadType = q("uploadType")
      if (uploadType === "resumable") {
        const meta = body.length === 0 ? {} : JSON.parse(body.toString("utf8")) as Record<string, unknown>
        const name = q("name") ?? (meta["name"] as string | undefined) ?? ""
        if (!validObjectName(name)) return fail(400, "invalid", "Invalid object name.")
        const id = randomBytes(16).toString("hex")
        sessions.set(id, {
          bucket: bucketName,
          name,
          contentType: (meta["contentType"] as string | undefined) ?? req.headers["x-upload-content-type"] as string | undefined ?? "application/octet-stream",
          metadata: (meta["metadata"] as Record<string, string> | undefined) ?? {},
          storageClass: (meta["storageClass"] as string | undefined) ?? bucket.storageClass,
          ifGenerationMatch,
          parts: [],
          persisted: 0,
          state: "open"
        })
        // The session URI comes back in Location, with an upload_id.
        res.writeHead(200, { location: `${base}/upload/storage/v1/b/${enc(bucketName)}/o?uploadType=resumable&name=${enc(name)}&upload_id=${id}` })
        return void res.end()
      }
      if (uploadType === "multipart") {
        const parts = parseRelated(body, req.headers["content-type"] ?? "")
        if (parts === undefined || parts.length !== 2 || !/^application\/json/i.test(parts[0]!.type)) {
          return fail(400, "invalid", "Invalid multipart request.")
        }
        const meta = JSON.parse(parts[0]!.data.toString("utf8")) as Record<string, unknown>
        const name = q("name") ?? (meta["name"] as string | undefined) ?? ""
        if (!validObjectName(name)) return fail(400, "invalid", "Invalid object name.")
        if (ifGenerationMatch !== undefined && (bucket.objects.get(name)?.generation ?? 0) !== ifGenerationMatch) {
          return fail(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        }
        const o = store(bucket, name, {
          data: Buffer.from(parts[1]!.data),
          contentType: (meta["contentType"] as string | undefined) ?? (parts[1]!.type || "application/octet-stream"),
          metadata: (meta["metadata"] as Record<string, string> | undefined) ?? {},
          storageClass: (meta["storageClass"] as string | undefined) ?? bucket.storageClass,
          componentCount: undefined
        })
        return send(200, objectResource(base, bucketName, name, o))
      }
      return fail(400, "invalid", "Unsupported uploadType.")
    }

    // ------------------------------------------------ JSON API: /storage/v1/b…
    if (segments[0] !== "storage" || segments[1] !== "v1") return fail(404, "notFound", "Not Found")
    const [, , b, bucketName, sub, objectName, action, ...destination] = segments
    if (b !== "b") return fail(404, "notFound", "Not Found")

    // https://cloud.google.com/storage/docs/json_api/v1/buckets/list, /buckets/insert
    if (bucketName === undefined) {
      if (q("project") !== PROJECT) return fail(400, "invalid", "Invalid project.")
      if (req.method === "GET") {
        const names = [...buckets.keys()].sort(utf8Order)
        const max = Number(q("maxResults") ?? 1000)
        const start = q("pageToken") === undefined ? 0 : names.findIndex((n) => utf8Order(n, Buffer.from(q("pageToken")!, "base64url").toString()) > 0)
        const page = start === -1 ? [] : names.slice(start, start + max)
        const more = start !== -1 && start + max < names.length
        return send(200, {
          kind: "storage#buckets",
          ...(page.length === 0 ? {} : { items: page.map((n) => bucketResource(base, buckets.get(n)!)) }),
          ...(more ? { nextPageToken: Buffer.from(page[page.length - 1]!).toString("base64url") } : {})
        })
      }
      if (req.method === "POST") {
        const meta = JSON.parse(body.toString("utf8")) as { name?: string; location?: string; storageClass?: string }
        const name = meta.name ?? ""
        if (!validBucketName(name)) return fail(400, "invalid", `Invalid bucket name: '${name}'`)
        if (buckets.has(name)) return fail(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.")
        const bucket: Bucket = {
          name,
          created: new Date(),
          location: (meta.location ?? "US").toUpperCase(),
          storageClass: meta.storageClass ?? "STANDARD",
          objects: new Map(),
          policy: {
            version: 1,
            etag: "CAE=",
            bindings: [
              { role: "roles/storage.legacyBucketOwner", members: [`projectEditor:${PROJECT}`, `projectOwner:${PROJECT}`] },
              { role: "roles/storage.legacyBucketReader", members: [`projectViewer:${PROJECT}`] }
            ]
          }
        }
        buckets.set(name, bucket)
        return send(200, bucketResource(base, bucket))
      }
    }
    const bucket = buckets.get(bucketName ?? "")

    // https://cloud.google.com/storage/docs/json_api/v1/buckets/get, /buckets/delete
    if (sub === undefined) {
      if (bucket === undefined) return noBucket()
      if (req.method === "GET") return send(200, bucketResource(base, bucket))
      if (req.method === "DELETE") {
        if (bucket.objects.size > 0) return fail(409, "conflict", "The bucket you tried to delete is not empty.")
        buckets.delete(bucket.name)
        res.writeHead(204)
        return void res.end()
      }
    }

    // https://cloud.google.com/storage/docs/json_api/v1/buckets/getIamPolicy, /buckets/setIamPolicy
    if (sub === "iam") {
      if (bucket === undefined) return noBucket()
      const policy = () => ({ kind: "storage#policy", resourceId: `projects/_/buckets/${bucket.name}`, ...bucket.policy })
      if (req.method === "GET") return send(200, policy())
      if (req.method === "PUT") {
        const wanted = JSON.parse(body.toString("utf8")) as { etag?: string; bindings?: Array<{ role: string; members: Array<string> }> }
        if (wanted.etag !== undefined && wanted.etag !== bucket.policy.etag) {
          return fail(412, "conditionNotMet", "Precondition Failed")
        }
        bucket.policy = { version: 1, etag: Buffer.from(`policy-${++policyCounter}`).toString("base64"), bindings: wanted.bindings ?? [] }
        return send(200, policy())
      }
    }

    if (sub === "o") {
      if (bucket === undefined) return noBucket()

      // https://cloud.google.com/storage/docs/json_api/v1/objects/list
      if (objectName === undefined && req.method === "GET") {
        const prefix = q("prefix") ?? ""
        const delimiter = q("delimiter")
        const max = Math.min(1000, Number(q("maxResults") ?? 1000))
        const token = q("pageToken")
        const after = token === undefined ? undefined : Buffer.from(token, "base64url").toString("utf8")
        const names = [...bucket.objects.keys()].filter((n) => n.startsWith(prefix)).sort(utf8Order)
        const items: Array<string> = []
        const prefixes: Array<string> = []
        let last: string | undefined
        let more = false
        for (const n of names) {
          if (after !== undefined && utf8Order(n, after) <= 0) continue
          if (after !== undefined && after.endsWith("\u0000rolled") && n.startsWith(after.slice(0, -7))) continue
          const at = delimiter === undefined ? -1 : n.indexOf(delimiter, prefix.length)
          const entry = at === -1 ? n : n.slice(0, at + delimiter!.length)
          if (at !== -1 && entry === prefixes[prefixes.length - 1]) continue
          if (items.length + prefixes.length === max) {
            more = true
            break
          }
          if (at === -1) items.push(n)
          else prefixes.push(entry)
          last = at === -1 ? n : `${entry}\u0000rolled`
        }
        return send(200, {
          kind: "storage#objects",
          ...(more ? { nextPageToken: Buffer.from(last!, "utf8").toString("base64url") } : {}),
          ...(prefixes.length === 0 ? {} : { prefixes }),
          ...(items.length === 0 ? {} : { items: items.map((n) => objectResource(base, bucket.name, n, bucket.objects.get(n)!)) })
        })
      }
      if (objectName === undefined) return fail(404, "notFound", "Not Found")
      const stored = bucket.objects.get(objectName)
      const noObject = () => fail(404, "notFound", `No such object: ${bucket.name}/${objectName}`)

      // https://cloud.google.com/storage/docs/json_api/v1/objects/rewrite
      if (action === "rewriteTo" && req.method === "POST") {
        const [, destBucketName = "", , destName = ""] = destination
        const destBucket = buckets.get(destBucketName)
        if (destBucket === undefined) return noBucket()
        if (stored === undefined) return noObject()
        const token = q("rewriteToken")
        const done = token === undefined ? 0 : Number(Buffer.from(token, "base64url").toString())
        const step = Math.min(Number(q("maxBytesRewrittenPerCall") ?? Infinity), state.rewriteBytesPerCall)
        const progressed = Math.min(stored.data.length, done + step)
        if (progressed < stored.data.length) {
          return send(200, {
            kind: "storage#rewriteResponse",
            totalBytesRewritten: String(progressed),
            objectSize: String(stored.data.length),
            done: false,
            rewriteToken: Buffer.from(String(progressed)).toString("base64url")
          })
        }
        // With a body, the body is the new object's metadata; without, the source's is copied.
        const meta = body.length === 0 ? undefined : JSON.parse(body.toString("utf8")) as Record<string, unknown>
        const copy = store(destBucket, destName, {
          data: stored.data,
          contentType: meta === undefined ? stored.contentType : (meta["contentType"] as string | undefined) ?? "application/octet-stream",
          metadata: meta === undefined ? stored.metadata : (meta["metadata"] as Record<string, string> | undefined) ?? {},
          storageClass: meta === undefined ? stored.storageClass : (meta["storageClass"] as string | undefined) ?? destBucket.storageClass,
          componentCount: stored.componentCount
        }, stored.md5 === undefined)
        return send(200, {
          kind: "storage#rewriteResponse",
          totalBytesRewritten: String(stored.data.length),
          objectSize: String(stored.data.length),
          done: true,
          resource: objectResource(base, destBucketName, destName, copy)
        })
      }

      // https://cloud.google.com/storage/docs/json_api/v1/objects/compose
      if (action === "compose" && req.method === "POST") {
        const request = JSON.parse(body.toString("utf8")) as { sourceObjects?: Array<{ name: string }>; destination?: { contentType?: string } }
        const sources = request.sourceObjects ?? []
        if (sources.length < 1 || sources.length > 32) return fail(400, "invalid", "Between 1 and 32 source objects.")
        const datas: Array<Buffer> = []
        for (const s of sources) {
          const o = bucket.objects.get(s.name)
          if (o === undefined) return fail(404, "notFound", `No such object: ${bucket.name}/${s.name}`)
          datas.push(o.data)
        }
        const ifGenerationMatch = q("ifGenerationMatch")
        if (ifGenerationMatch !== undefined && (stored?.generation ?? 0) !== Number(ifGenerationMatch)) {
          return fail(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        }
        const o = store(bucket, objectName, {
          data: Buffer.concat(datas),
          contentType: request.destination?.contentType ?? "application/octet-stream",
          metadata: {},
          storageClass: bucket.storageClass,
          componentCount: sources.length
        }, true)
        return send(200, objectResource(base, bucket.name, objectName, o))
      }

      // https://cloud.google.com/storage/docs/json_api/v1/objects/delete
      if (action === undefined && req.method === "DELETE") {
        const generation = q("generation")
        const ifGenerationMatch = q("ifGenerationMatch")
        if (stored === undefined || (generation !== undefined && String(stored.generation) !== generation)) return noObject()
        if (ifGenerationMatch !== undefined && String(stored.generation) !== ifGenerationMatch) {
          return fail(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        }
        bucket.objects.delete(objectName)
        res.writeHead(204)
        return void res.end()
      }

      // https://cloud.google.com/storage/docs/json_api/v1/objects/get (alt=json metadata, alt=media data)
      if (action === undefined && req.method === "GET") {
        if (stored === undefined) return noObject()
        const ifGenerationMatch = q("ifGenerationMatch")
        if (ifGenerationMatch !== undefined && String(stored.generation) !== ifGenerationMatch) {
          return fail(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.")
        }
        if (q("alt") !== "media") return send(200, objectResource(base, bucket.name, objectName, stored))
        const size = stored.data.length
        const headers: Record<string, string> = {
          "content-type": stored.contentType,
          "x-goog-generation": String(stored.generation),
          "x-goog-metageneration": "1",
          "x-goog-stored-content-length": String(size),
          "x-goog-stored-content-encoding": "identity",
          "x-goog-hash": stored.md5 === undefined ? `crc32c=${stored.crc32c}` : `crc32c=${stored.crc32c},md5=${stored.md5}`
        }
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "")
        if (range === null) {
          res.writeHead(200, { ...headers, "content-length": String(size) })
          return void res.end(stored.data)
        }
        const start = Number(range[1])
        const end = range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1)
        if (start >= size || end < start) return fail(416, "requestedRangeNotSatisfiable", "Request range not satisfiable")
        res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${size}`, "content-length": String(end - start + 1) })
        return void res.end(stored.data.subarray(start, end + 1))
      }
    }
    return fail(404, "notFound", "Not Found")
  }

  server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(errorBody(500, "backendError", `fake GCS: ${e instanceof Error ? e.message : String(e)}`))
      }
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  base = `http://127.0.0.1:${port}`
  const tokenUrl = `${base}/token`
  const keyJson = JSON.stringify({
    type: "service_account",
    project_id: PROJECT,
    private_key_id: "fake-key-1",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: `cloudfx-test@${PROJECT}.iam.gserviceaccount.com`,
    client_id: "1234567890",
    token_uri: tokenUrl
  })
  return Object.assign(state, { url: base, tokenUrl, keyJson, publicKey: createPublicKey(privateKey) })
}
