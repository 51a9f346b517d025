/**
 * The on-disk cache of fetched prices: one price file (table.ts schema) per
 * source, with `fetchedAt` set, in `cacheDir`. The cache is a convenience:
 * a directory that cannot be read or written costs a warning, never a
 * failure, and a cache file that does not decode is ignored (with a warning)
 * rather than trusted.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Either, Option, Schema } from "effect"
import { join } from "node:path"
import { describeIssue } from "../../http/Decode.js"
import { PriceFile } from "./table.js"

export interface Cached {
  readonly file: PriceFile
  readonly fetchedAt: Date
}

export interface Cache {
  readonly read: (key: string) => Effect.Effect<Option.Option<Cached>>
  readonly write: (key: string, file: PriceFile) => Effect.Effect<void>
  /** Every readable cache file, oldest first. */
  readonly readAll: Effect.Effect<ReadonlyArray<Cached>>
}

const PriceFileJson = Schema.parseJson(PriceFile)
const decode = Schema.decodeUnknownEither(PriceFileJson, { errors: "first", onExcessProperty: "ignore" })
const encode = Schema.encodeSync(PriceFileJson)

const suffix = ".json"

/** No cache at all (`cacheDir: false`). */
export const none: Cache = {
  read: () => Effect.succeedNone,
  write: () => Effect.void,
  readAll: Effect.succeed([])
}

export const make = (dir: string): Effect.Effect<Cache, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs): Cache => {
    const pathOf = (key: string) => join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, "_")}${suffix}`)

    const readPath = (path: string): Effect.Effect<Option.Option<Cached>> =>
      fs.readFileString(path).pipe(
        Effect.flatMap((text) => {
          const decoded = decode(text)
          if (Either.isLeft(decoded)) {
            return Effect.as(Effect.logWarning(`ignoring price cache ${path}: ${describeIssue(decoded.left.issue)}`), Option.none())
          }
          const fetchedAt = new Date(decoded.right.fetchedAt ?? "")
          if (Number.isNaN(fetchedAt.getTime())) {
            return Effect.as(Effect.logWarning(`ignoring price cache ${path}: it has no fetchedAt date`), Option.none())
          }
          return Effect.succeed(Option.some({ file: decoded.right, fetchedAt }))
        }),
        Effect.catchAll((e) =>
          e._tag === "SystemError" && e.reason === "NotFound"
            ? Effect.succeedNone
            : Effect.as(Effect.logWarning(`cannot read price cache ${path}: ${e.message}`), Option.none())
        )
      )

    const write = (key: string, file: PriceFile) => {
      const path = pathOf(key)
      // Written aside and renamed, so a reader never sees half a file.
      const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
      return fs.makeDirectory(dir, { recursive: true }).pipe(
        Effect.zipRight(fs.writeFileString(temporary, encode(file))),
        Effect.zipRight(fs.rename(temporary, path)),
        Effect.catchAll((e) =>
          Effect.zipRight(
            Effect.logWarning(`cannot write price cache ${path}: ${e.message}`),
            Effect.ignore(fs.remove(temporary))
          )
        )
      )
    }

    const readAll = fs.readDirectory(dir).pipe(
      Effect.catchAll((e) =>
        e._tag === "SystemError" && e.reason === "NotFound"
          ? Effect.succeed([] as Array<string>)
          : Effect.as(Effect.logWarning(`cannot list price cache ${dir}: ${e.message}`), [] as Array<string>)
      ),
      Effect.flatMap((names) =>
        Effect.forEach(names.filter((n) => n.endsWith(suffix)).sort(), (n) => readPath(join(dir, n)))
      ),
      Effect.map((all) => all.flatMap(Option.toArray).sort((a, b) => a.fetchedAt.getTime() - b.fetchedAt.getTime()))
    )

    return { read: (key) => readPath(pathOf(key)), write, readAll }
  })
