/**
 * The managed section of haproxy.cfg: everything between two marker lines,
 * rendered from JSON comment lines that hold each balancer and member.
 * The rest of the file is never touched. Parsing is strict: the section is
 * re-rendered from its JSON lines and must come out identical, so a hand
 * edit (or a corrupt file) is reported instead of silently overwritten.
 */
import { Either, Schema } from "effect"
import { Algorithm } from "../../schemas/Models.js"

export const BEGIN = "# >>> cloudfx managed section: written by cloudfx, edits between these markers are refused >>>"
export const END = "# <<< cloudfx managed section <<<"

const BALANCER = "# cloudfx-balancer "
const MEMBER = "    # cloudfx-member "

/** HAProxy proxy and server names cloudfx generates, and the only ones it sends in commands. */
export const haproxyName = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/

const Name = Schema.String.pipe(Schema.pattern(haproxyName))
const Port = Schema.Int.pipe(Schema.between(1, 65535))

export class ManagedMember extends Schema.Class<ManagedMember>("ManagedMember")({
  id: Name,
  ip: Schema.String.pipe(Schema.pattern(/^[0-9A-Fa-f:.]+$/)),
  port: Port,
  weight: Schema.Int.pipe(Schema.between(0, 256)),
  disabled: Schema.Boolean,
  nodeId: Schema.optional(Schema.String)
}) {}

export const Protocol = Schema.Literal("http", "tcp")
export type Protocol = typeof Protocol.Type

export class ManagedBalancer extends Schema.Class<ManagedBalancer>("ManagedBalancer")({
  id: Name,
  name: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)),
  bind: Schema.String.pipe(Schema.pattern(/^[0-9A-Fa-f:.*]+$/)),
  port: Port,
  protocol: Protocol,
  algorithm: Algorithm,
  createdAt: Schema.String
}) {}

export interface Balancer {
  readonly balancer: ManagedBalancer
  readonly members: ReadonlyArray<ManagedMember>
}

/** HAProxy's `balance` for each portable algorithm; `source` needs consistent hashing to accept `add server`. */
export const balanceDirective: Partial<Record<Algorithm, ReadonlyArray<string>>> = {
  roundRobin: ["balance roundrobin"],
  weightedRoundRobin: ["balance roundrobin"],
  leastConnections: ["balance leastconn"],
  weightedLeastConnections: ["balance leastconn"],
  random: ["balance random"],
  sourceIp: ["balance source", "hash-type consistent"]
}

const bindAddress = (bind: string, port: number) => (bind.includes(":") ? `[${bind}]:${port}` : `${bind}:${port}`)

const metaOf = (b: ManagedBalancer) => JSON.stringify(Schema.encodeSync(ManagedBalancer)(b))
const metaOfMember = (m: ManagedMember) => JSON.stringify(Schema.encodeSync(ManagedMember)(m))

const serverLine = (m: ManagedMember) =>
  `    server ${m.id} ${m.ip}:${m.port} weight ${m.weight}${m.disabled ? " disabled" : ""}`

const renderBalancer = ({ balancer: b, members }: Balancer): ReadonlyArray<string> => [
  `${BALANCER}${metaOf(b)}`,
  `frontend ${b.id}`,
  `    mode ${b.protocol}`,
  `    bind ${bindAddress(b.bind, b.port)}`,
  `    default_backend ${b.id}`,
  `backend ${b.id}`,
  `    mode ${b.protocol}`,
  ...(balanceDirective[b.algorithm] ?? []).map((d) => `    ${d}`),
  ...members.flatMap((m) => [`${MEMBER}${metaOfMember(m)}`, serverLine(m)])
]

export const renderSection = (balancers: ReadonlyArray<Balancer>): string =>
  [BEGIN, ...balancers.flatMap(renderBalancer), END].join("\n") + "\n"

export interface ConfigText {
  /** Everything before the section (ends with a newline, or is empty). */
  readonly before: string
  readonly balancers: ReadonlyArray<Balancer>
  readonly after: string
}

const decodeBalancer = Schema.decodeUnknownEither(Schema.parseJson(ManagedBalancer))
const decodeMember = Schema.decodeUnknownEither(Schema.parseJson(ManagedMember))

/** Split the file around its managed section and decode it; `Left` says what is wrong. */
export const parseConfig = (text: string): Either.Either<ConfigText, string> => {
  const lines = text.split("\n")
  const begins = lines.flatMap((l, i) => (l === BEGIN ? [i] : []))
  const ends = lines.flatMap((l, i) => (l === END ? [i] : []))
  if (begins.length === 0 && ends.length === 0) {
    const before = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`
    return Either.right({ before, balancers: [], after: "" })
  }
  if (begins.length !== 1 || ends.length !== 1 || ends[0]! < begins[0]!) {
    return Either.left(`expected one "${BEGIN}" line followed by one "${END}" line`)
  }
  const [begin, end] = [begins[0]!, ends[0]!]
  const inside = lines.slice(begin + 1, end)
  const balancers: Array<{ balancer: ManagedBalancer; members: Array<ManagedMember> }> = []
  for (const [i, line] of inside.entries()) {
    if (line.startsWith(BALANCER)) {
      const decoded = decodeBalancer(line.slice(BALANCER.length))
      if (Either.isLeft(decoded)) return Either.left(`line ${begin + i + 2}: not a cloudfx balancer: ${line.slice(0, 120)}`)
      balancers.push({ balancer: decoded.right, members: [] })
    } else if (line.startsWith(MEMBER)) {
      const decoded = decodeMember(line.slice(MEMBER.length))
      const current = balancers[balancers.length - 1]
      if (Either.isLeft(decoded) || current === undefined) {
        return Either.left(`line ${begin + i + 2}: not a cloudfx member: ${line.slice(0, 120)}`)
      }
      current.members.push(decoded.right)
    }
  }
  const expected = renderSection(balancers)
  const actual = [...lines.slice(begin, end + 1)].join("\n") + "\n"
  if (expected !== actual) {
    return Either.left("the managed section was edited by hand: it no longer matches its cloudfx comment lines")
  }
  const ids = new Set(balancers.map((b) => b.balancer.id))
  if (ids.size !== balancers.length) return Either.left("two managed balancers share an id")
  return Either.right({
    before: lines.slice(0, begin).map((l) => `${l}\n`).join(""),
    balancers,
    after: lines.slice(end + 1).join("\n")
  })
}

/** The whole file with the section replaced (appended at the end the first time). */
export const renderConfig = (config: ConfigText, balancers: ReadonlyArray<Balancer>): string =>
  `${config.before}${renderSection(balancers)}${config.after}`
