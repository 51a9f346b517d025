/**
 * Tiny request signers used ONLY by the peers' smoke tests (test/peers/*.test.ts), to prove that the servers
 * really check signatures. They are deliberately minimal (no chunked payloads, no presigning, no edge-case
 * canonicalisation): the library's own SigV4 and SharedKey signers live in src/ and are tested on their own.
 */
import { createHash, createHmac } from "node:crypto"

const sha256hex = (b: Buffer | string) => createHash("sha256").update(b).digest("hex")
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s).digest()
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

/** Headers (including Authorization) for an AWS SigV4 S3 request, payload hash included. */
export const signS3 = (
  creds: S3Credentials,
  req: { readonly method: string; readonly url: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: Buffer },
  now = new Date()
): Record<string, string> => {
  const url = new URL(req.url)
  const body = req.body ?? Buffer.alloc(0)
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
  const day = amzDate.slice(0, 8)
  const headers: Record<string, string> = { host: url.host, "x-amz-date": amzDate, "x-amz-content-sha256": sha256hex(body) }
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v.trim()
  const canonPath = url.pathname.split("/").map((seg) => rfc3986(decodeURIComponent(seg))).join("/")
  const canonQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&")
  const signed = Object.keys(headers).sort()
  const canonReq = [req.method, canonPath, canonQuery, signed.map((k) => `${k}:${headers[k]}\n`).join(""), signed.join(";"), headers["x-amz-content-sha256"]].join("\n")
  const scope = `${day}/${creds.region}/s3/aws4_request`
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonReq)].join("\n")
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), creds.region), "s3"), "aws4_request")
  const signature = createHmac("sha256", key).update(toSign).digest("hex")
  const { host: _host, ...rest } = headers
  return { ...rest, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}` }
}

/**
 * Headers (including Authorization: SharedKey) for an Azure Blob request against a path-style emulator URL
 * (http://host:port/<account>/...). Send the body as a Buffer: a string body makes fetch add a Content-Type.
 */
export const signAzureSharedKey = (
  account: string,
  base64Key: string,
  req: { readonly method: string; readonly url: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: Buffer },
  now = new Date()
): Record<string, string> => {
  const url = new URL(req.url)
  const headers: Record<string, string> = { "x-ms-date": now.toUTCString(), "x-ms-version": "2021-08-06" }
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
  const get = (name: string) => headers[name] ?? ""
  const length = req.body && req.body.length > 0 ? String(req.body.length) : ""
  const canonHeaders = Object.keys(headers).filter((k) => k.startsWith("x-ms-")).sort().map((k) => `${k}:${get(k).trim()}\n`).join("")
  // path-style emulator URL: the resource is /<account> followed by the whole path (which starts with /<account>)
  let canonResource = `/${account}${url.pathname}`
  for (const k of [...new Set([...url.searchParams.keys()].map((x) => x.toLowerCase()))].sort()) {
    canonResource += `\n${k}:${url.searchParams.getAll(k).join(",")}`
  }
  const toSign = [
    req.method, get("content-encoding"), get("content-language"), length, get("content-md5"), get("content-type"),
    "", get("if-modified-since"), get("if-match"), get("if-none-match"), get("if-unmodified-since"), get("range")
  ].join("\n") + "\n" + canonHeaders + canonResource
  const signature = createHmac("sha256", Buffer.from(base64Key, "base64")).update(toSign, "utf8").digest("base64")
  return { ...headers, authorization: `SharedKey ${account}:${signature}` }
}
