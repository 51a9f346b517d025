/**
 * A local HTTP server answering like the price sources: a cloudfx price
 * file, the AWS Price List bulk API (service index → region index → EC2
 * price list file) and the Cloud Billing Catalog skus endpoint (two pages).
 * Bodies are the documented-shape fixtures of test/layers/{aws,gcp}/pricing.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { offerExcerpt, regionIndex, serviceIndex } from "../../layers/aws/pricing/fixtures.js"
import { page1, page2 } from "../../layers/gcp/pricing/fixtures.js"

export const userPrices = {
  version: 1,
  entries: [
    { provider: "ec2", region: "us-east-1", size: "t3.micro", usdPerHour: 0.0099, source: "my negotiated rates", date: "2024-07-01" },
    { provider: "hetzner", region: "fsn1", size: "cx22", usdPerHour: 0.0065, vcpus: 2, ramMb: 4096, source: "hetzner.com/cloud", date: "2024-07-01" }
  ]
}

export interface PriceServer {
  readonly url: string
  /** Requests per path (query left out). */
  readonly hits: Map<string, number>
  /** Full request URLs, in order. */
  readonly requests: Array<string>
  /** Status for /flaky.json (200 serves `userPrices`). */
  flakyStatus: number
  readonly close: () => Promise<void>
}

const offerPath = "/offers/v1.0/aws/AmazonEC2/20240605000000/us-east-1/index.json"

export const startPriceServer = async (): Promise<PriceServer> => {
  const state = { flakyStatus: 200 }
  const hits = new Map<string, number>()
  const requests: Array<string> = []
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    res.end(text)
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local")
    requests.push(req.url ?? "")
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1)
    switch (url.pathname) {
      case "/prices.json":
        return json(res, 200, userPrices)
      case "/flaky.json":
        return state.flakyStatus === 200 ? json(res, 200, userPrices) : json(res, state.flakyStatus, { message: "no" })
      case "/broken.json":
        return json(res, 200, { version: 1, entries: [{ ...userPrices.entries[0], usdPerHour: "cheap" }] })
      case "/offers/v1.0/aws/index.json":
        return json(res, 200, serviceIndex("/offers/v1.0/aws/AmazonEC2/current/region_index.json"))
      case "/offers/v1.0/aws/AmazonEC2/current/region_index.json":
        return json(res, 200, regionIndex)
      case offerPath: {
        // Sent in small writes, as a large file would arrive.
        const text = Buffer.from(JSON.stringify(offerExcerpt, null, 2))
        res.writeHead(200, { "content-type": "application/json", "content-length": text.byteLength })
        for (let i = 0; i < text.byteLength; i += 1024) res.write(text.subarray(i, i + 1024))
        res.end()
        return
      }
      case "/v1/services/6F81-5844-456A/skus": {
        if (url.searchParams.get("key") !== "test-api-key-123") return json(res, 403, { error: { code: 403, message: "API key not valid.", status: "PERMISSION_DENIED" } })
        return json(res, 200, url.searchParams.get("pageToken") === page1.nextPageToken ? page2 : page1)
      }
      default:
        return json(res, 404, { message: "not found" })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const out: PriceServer = {
    url: `http://127.0.0.1:${port}`,
    hits,
    requests,
    get flakyStatus() {
      return state.flakyStatus
    },
    set flakyStatus(s: number) {
      state.flakyStatus = s
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return out
}
