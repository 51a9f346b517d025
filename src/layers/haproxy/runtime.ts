/**
 * The HAProxy runtime API (and master CLI) over a unix socket or TCP: one
 * command per connection in non-interactive mode, the answer read until
 * HAProxy closes. Answers are text; the parsers here accept exactly the
 * shapes HAProxy 2.6 prints and turn anything else into MalformedResponse.
 */
import { connect } from "node:net"
import { Duration, Effect, Schedule } from "effect"
import {
  AlreadyExists,
  Conflict,
  MalformedResponse,
  NotFound,
  PermissionDenied,
  ProviderError,
  Transport
} from "../../schemas/Errors.js"
import type { Where } from "../../services/validate.js"

export type Target = { readonly path: string } | { readonly host: string; readonly port: number }

const describe = (target: Target) => ("path" in target ? target.path : `${target.host}:${target.port}`)

// A newline or ';' would start a second command: every argument is checked before it gets here.
const unsafe = /[\r\n;\0]/

/** Send one command and return HAProxy's whole answer. Interruption closes the connection. */
export const send = (
  where: Where,
  target: Target | undefined,
  command: string,
  timeout: Duration.Duration
): Effect.Effect<string, Transport> => {
  if (target === undefined) {
    return Effect.fail(new Transport({ ...where, reason: "no runtime API configured (runtimeSocket or runtimeAddress)" }))
  }
  if (unsafe.test(command)) return Effect.dieMessage(`haproxy: refusing to send a command with a separator: ${JSON.stringify(command)}`)
  const verb = command.split(" ").slice(0, 2).join(" ")
  return Effect.async<string, Transport>((resume) => {
    const socket = "path" in target ? connect({ path: target.path }) : connect({ host: target.host, port: target.port })
    const chunks: Array<Buffer> = []
    let settled = false
    const settle = (e: Effect.Effect<string, Transport>) => {
      if (settled) return
      settled = true
      socket.destroy()
      resume(e)
    }
    const ms = Duration.toMillis(timeout)
    socket.setTimeout(ms, () =>
      settle(Effect.fail(new Transport({ ...where, reason: `no answer from ${describe(target)} to "${verb}" within ${ms} ms` }))))
    // Half-close after the command: HAProxy answers, then closes (the master CLI waits for the end of input).
    socket.on("connect", () => socket.end(`${command}\n`))
    socket.on("data", (d: Buffer) => chunks.push(d))
    socket.on("error", (e: NodeJS.ErrnoException) =>
      settle(Effect.fail(new Transport({ ...where, reason: `${describe(target)}: ${e.code ?? e.message}` }))))
    socket.on("close", () => settle(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
    return Effect.sync(() => {
      settled = true
      socket.destroy()
    })
  })
}

/** Read-only commands may be repeated: a reload can refuse a connection for a moment. */
export const sendIdempotent = (where: Where, target: Target | undefined, command: string, timeout: Duration.Duration) =>
  send(where, target, command, timeout).pipe(
    Effect.retry({ times: 3, schedule: Schedule.spaced("100 millis"), while: (e) => !e.reason.startsWith("no runtime API") })
  )

// ---------------------------------------------------------------- errors

export interface Subject {
  readonly backend: string
  readonly server?: string
}

export type CommandError = NotFound | AlreadyExists | Conflict | PermissionDenied | ProviderError

const firstLine = (answer: string) => answer.trim().split("\n")[0]!.slice(0, 200)

/** An error answer, in the taxonomy; `undefined` when the answer is not one HAProxy gives for a failure we know. */
export const classify = (where: Where, subject: Subject, answer: string): CommandError => {
  const line = firstLine(answer)
  const server = subject.server ?? ""
  if (/^(No such backend|Can't find backend)\.?$/.test(line)) return new NotFound({ ...where, resource: "balancer", id: subject.backend })
  if (/^No such server\.?$/.test(line)) return new NotFound({ ...where, resource: "member", id: server })
  if (/^Already exists a server with the same name/.test(line)) return new AlreadyExists({ ...where, resource: "member", id: server })
  if (/^Only servers in maintenance mode can be deleted/.test(line) || /^Server still has connections attached/.test(line)) {
    return new Conflict({ ...where, resource: "member", id: server, reason: line })
  }
  if (/^Backend must use a dynamic load balancing/.test(line)) {
    return new Conflict({ ...where, resource: "balancer", id: subject.backend, reason: line })
  }
  if (/^Permission denied/.test(line)) return new PermissionDenied({ ...where, reason: `the runtime API socket needs "level admin": ${line}` })
  if (/^Unknown command/.test(line)) return new ProviderError({ ...where, code: "UnknownCommand", detail: `${line} (HAProxy 2.6 or later is needed)` })
  return new ProviderError({ ...where, code: "RuntimeApi", detail: line.length === 0 ? "empty answer" : line })
}

/** A command whose success is an empty answer (enable/disable/set server…). */
export const expectEmpty = (where: Where, subject: Subject, answer: string): Effect.Effect<void, CommandError> =>
  answer.trim().length === 0 ? Effect.void : Effect.fail(classify(where, subject, answer))

/** A command whose success is one known line ("New server registered.", "Server deleted."). */
export const expectLine = (where: Where, subject: Subject, answer: string, success: string): Effect.Effect<void, CommandError> =>
  answer.trim() === success ? Effect.void : Effect.fail(classify(where, subject, answer))

// ---------------------------------------------------------------- parsers

const malformed = (where: Where, command: string, reason: string) =>
  new MalformedResponse({ ...where, reason: `"${command}": ${reason}` })

const integer = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined)

/** One row of `show servers state` (format version 1), the fields cloudfx reads. */
export interface ServerState {
  readonly backend: string
  readonly name: string
  readonly address: string
  readonly port: number
  /** 0 stopped, 1 starting, 2 running, 3 stopping */
  readonly operational: number
  /** Bit field: 0x01 forced maint, 0x02 inherited maint, 0x04 configured "disabled", 0x08 forced drain, 0x10 inherited drain, 0x20 resolution maint, 0x40 hostname maint */
  readonly admin: number
  readonly weight: number
}

// 0x04 (configured `disabled`) stays set after `enable server` clears 0x01: it is a memory, not a state.
export const MAINT = 0x01 | 0x02 | 0x20 | 0x40
export const FORCED_MAINT = 0x01
export const DRAIN = 0x08 | 0x10

const stateFields = ["be_name", "srv_name", "srv_addr", "srv_op_state", "srv_admin_state", "srv_uweight", "srv_port"] as const

/** `show servers state [backend]`: "1", a "# be_id be_name …" header, then one space-separated row per server. */
export const parseServersState = (where: Where, answer: string): Effect.Effect<ReadonlyArray<ServerState>, MalformedResponse> => {
  const command = "show servers state"
  const lines = answer.split("\n").filter((l) => l.length > 0)
  if (lines[0] !== "1") return Effect.fail(malformed(where, command, `expected format version 1, got "${firstLine(answer)}"`))
  const header = lines[1]
  if (header === undefined || !header.startsWith("# ")) return Effect.fail(malformed(where, command, "no header line"))
  const names = header.slice(2).split(" ")
  const index = new Map(names.map((n, i) => [n, i]))
  for (const f of stateFields) if (!index.has(f)) return Effect.fail(malformed(where, command, `header lacks ${f}`))
  const at = (cols: ReadonlyArray<string>, f: (typeof stateFields)[number]) => cols[index.get(f)!]
  const rows: Array<ServerState> = []
  for (const line of lines.slice(2)) {
    const cols = line.split(" ")
    if (cols.length !== names.length) return Effect.fail(malformed(where, command, `a row has ${cols.length} fields, the header ${names.length}`))
    const port = integer(at(cols, "srv_port"))
    const operational = integer(at(cols, "srv_op_state"))
    const admin = integer(at(cols, "srv_admin_state"))
    const weight = integer(at(cols, "srv_uweight"))
    if (port === undefined || operational === undefined || admin === undefined || weight === undefined) {
      return Effect.fail(malformed(where, command, `a row has non-numeric fields: ${line.slice(0, 120)}`))
    }
    rows.push({ backend: at(cols, "be_name")!, name: at(cols, "srv_name")!, address: at(cols, "srv_addr")!, port, operational, admin, weight })
  }
  return Effect.succeed(rows)
}

export type StatRow = Readonly<Record<string, string>>

/** `show stat`: CSV with a "# pxname,svname,…" header; every row has the header's field count. */
export const parseStat = (where: Where, answer: string): Effect.Effect<ReadonlyArray<StatRow>, MalformedResponse> => {
  const command = "show stat"
  const lines = answer.split("\n").filter((l) => l.length > 0)
  const header = lines[0]
  if (header === undefined || !header.startsWith("# pxname,svname,")) {
    return Effect.fail(malformed(where, command, `expected a "# pxname,svname," header, got "${firstLine(answer)}"`))
  }
  const names = header.slice(2).split(",")
  const rows: Array<StatRow> = []
  for (const line of lines.slice(1)) {
    const cols = line.split(",")
    if (cols.length !== names.length) return Effect.fail(malformed(where, command, `a row has ${cols.length} fields, the header ${names.length}`))
    rows.push(Object.fromEntries(names.map((n, i) => [n, cols[i]!])))
  }
  return Effect.succeed(rows)
}

/** `show info`: the worker's "Pid: N". */
export const parsePid = (where: Where, answer: string): Effect.Effect<number, MalformedResponse> => {
  const pid = integer(/^Pid: (\d+)$/m.exec(answer)?.[1])
  return pid === undefined ? Effect.fail(malformed(where, "show info", "no Pid line")) : Effect.succeed(pid)
}

export interface MasterState {
  readonly reloads: number
  readonly failed: number
  readonly workers: ReadonlyArray<number>
}

/** Master CLI `show proc`: the master line ("PID master RELOADS [failed: N] …") and the "# workers" section. */
export const parseShowProc = (where: Where, answer: string): Effect.Effect<MasterState, MalformedResponse> => {
  const m = /^\s*\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(answer)
  if (m === null) return Effect.fail(malformed(where, "show proc", `no master line in "${firstLine(answer)}"`))
  const section = /^# workers\n((?:.*\n?)*?)(?:^#|$(?![\s\S]))/m.exec(answer)?.[1] ?? ""
  const workers = section.split("\n").flatMap((l) => {
    const w = /^(\d+)\s+worker\b/.exec(l.trim())
    return w === null ? [] : [Number(w[1])]
  })
  return Effect.succeed({ reloads: Number(m[1]), failed: Number(m[2]), workers })
}
