/**
 * Making HAProxy load the rewritten file, and knowing when it has: the
 * runtime API must answer from a new worker process (its `show info` Pid
 * changes) several times in a row, so later commands cannot reach the old
 * worker that is still draining its connections.
 */
import { Duration, Effect, Option } from "effect"
import { ProviderError, type Transport } from "../../schemas/Errors.js"
import type { MalformedResponse } from "../../schemas/Errors.js"
import type { Where } from "../../services/validate.js"
import type { HaproxyReload, Resolved } from "./config.js"
import { type MasterState, parsePid, parseShowProc, send, sendIdempotent } from "./runtime.js"

export type ReloadError = ProviderError | Transport | MalformedResponse

export const workerPid = (where: Where, settings: Resolved) =>
  Effect.flatMap(sendIdempotent(where, settings.target, "show info", settings.timeout), (answer) => parsePid(where, answer))

const masterState = (where: Where, masterSocket: string, settings: Resolved) =>
  Effect.flatMap(sendIdempotent(where, { path: masterSocket }, "show proc", settings.timeout), (a) => parseShowProc(where, a))

const isMaster = (reload: HaproxyReload): reload is { readonly masterSocket: string } =>
  typeof reload === "object" && reload !== null && !Effect.isEffect(reload) && typeof (reload as { masterSocket?: unknown }).masterSocket === "string"

const describeFailure = (e: unknown) =>
  e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

const trigger = (where: Where, settings: Resolved): Effect.Effect<void, ProviderError | Transport> => {
  const reload = settings.reload
  if (isMaster(reload)) {
    // The master re-executes itself and drops the CLI connection: only "cannot connect" is a failure.
    return send(where, { path: reload.masterSocket }, "reload", settings.timeout).pipe(
      Effect.catchIf((e) => !/ECONNREFUSED|ENOENT|EACCES/.test(e.reason), () => Effect.void),
      Effect.asVoid
    )
  }
  const failed = (e: unknown) => new ProviderError({ ...where, code: "ReloadFailed", detail: `the reload failed: ${describeFailure(e)}` })
  if (Effect.isEffect(reload)) return Effect.asVoid(Effect.mapError(reload, failed))
  return Effect.asVoid(Effect.tryPromise({ try: async () => await (reload as () => unknown)(), catch: failed }))
}

const rejected = (where: Where) =>
  new ProviderError({
    ...where,
    code: "ReloadFailed",
    detail: "HAProxy refused the new configuration on reload (a port in use? see its log); the previous file was restored"
  })

/**
 * Note which worker runs now (before anything is changed, so a runtime API
 * that cannot answer stops the change early); the returned Effect reloads and
 * waits until a new worker serves the runtime API, failing when the master
 * reports the reload failed or on timeout.
 */
export const prepareReload = (where: Where, settings: Resolved): Effect.Effect<Effect.Effect<void, ReloadError>, ReloadError> =>
  Effect.gen(function*() {
    const oldPid = yield* workerPid(where, settings)
    const reload = settings.reload
    const master = isMaster(reload) ? reload.masterSocket : undefined
    const before: Option.Option<MasterState> = master === undefined ? Option.none() : Option.some(yield* masterState(where, master, settings))
    return reloadAndWait(where, settings, oldPid, master, before)
  })

const reloadAndWait = (
  where: Where,
  settings: Resolved,
  oldPid: number,
  master: string | undefined,
  before: Option.Option<MasterState>
): Effect.Effect<void, ReloadError> =>
  Effect.gen(function*() {
    yield* trigger(where, settings)
    const deadline = Date.now() + Duration.toMillis(settings.reloadTimeout)
    let streak = 0
    while (Date.now() < deadline) {
      yield* Effect.sleep("100 millis")
      if (master !== undefined && Option.isSome(before)) {
        const now = yield* Effect.option(masterState(where, master, settings))
        if (Option.isSome(now) && now.value.reloads > before.value.reloads && now.value.failed > before.value.failed) {
          return yield* Effect.fail(rejected(where))
        }
      }
      const pid = yield* Effect.option(workerPid(where, settings))
      streak = Option.isSome(pid) && pid.value !== oldPid ? streak + 1 : 0
      if (streak >= 3) return
    }
    return yield* Effect.fail(
      new ProviderError({
        ...where,
        code: "ReloadTimeout",
        detail: `no new HAProxy worker answered within ${Duration.format(settings.reloadTimeout)}; the previous file was restored`
      })
    )
  }).pipe(Effect.withSpan("haproxy.reload"))
