/**
 * The portable object storage API. Listings are Streams (pagination is the
 * provider's business), downloads are backpressured Streams, and uploads take
 * bytes, a string or a Stream of unknown length.
 */
import { Context } from "effect"
import type { Duration, Effect, Stream } from "effect"
import type {
  AlreadyExists,
  Conflict,
  IntegrityError,
  InvalidInput,
  NotFound,
  ProviderFailure,
  Unsupported
} from "../schemas/Errors.js"
import type { Container, ListEntry, ObjectInfo } from "../schemas/Models.js"
import type { ProviderInfo } from "./ProviderInfo.js"

export class ObjectStorage extends Context.Tag("cloudfx/ObjectStorage")<ObjectStorage, ObjectStorage.Service>() {}

export declare namespace ObjectStorage {
  /** What an upload accepts. A Stream may be of unknown length and any size. */
  export type Body<E = never> = Uint8Array | string | Stream.Stream<Uint8Array, E>

  export interface PutOptions {
    readonly contentType?: string
    /** User metadata: keys are case-insensitive ASCII tokens, values printable ASCII. */
    readonly metadata?: Readonly<Record<string, string>>
    /** Where the provider uploads in parts: bytes per part. */
    readonly partSize?: number
    /** Where the provider uploads in parts: parts in flight at once. */
    readonly concurrency?: number
  }

  export interface ListOptions {
    readonly prefix?: string
    /** Roll keys up to the next delimiter into `ObjectPrefix` entries. */
    readonly delimiter?: string
    /** Entries per request; the Stream is the same whatever it is. */
    readonly pageSize?: number
  }

  /** Bytes `start` (inclusive) to `end` (exclusive, like Array.slice); no end means to the last byte. */
  export interface Range {
    readonly start: number
    readonly end?: number
  }

  export interface GetOptions {
    readonly range?: Range
  }

  export type BodyError = IntegrityError | ProviderFailure

  export interface Download {
    /** Of the whole object (size is the whole size even for a range). */
    readonly info: ObjectInfo
    readonly body: Stream.Stream<Uint8Array, BodyError>
  }

  export interface ObjectRef {
    readonly container: string
    readonly key: string
  }

  export interface SignedUrlOptions {
    readonly method?: "GET" | "PUT"
    readonly expiresIn: Duration.DurationInput
  }

  export interface Service {
    readonly provider: ProviderInfo

    readonly listContainers: () => Effect.Effect<ReadonlyArray<Container>, ProviderFailure>
    readonly getContainer: (name: string) => Effect.Effect<Container, NotFound | InvalidInput | ProviderFailure>
    readonly createContainer: (name: string) => Effect.Effect<Container, AlreadyExists | InvalidInput | ProviderFailure>
    /** Fails with `Conflict` when the container is not empty. */
    readonly deleteContainer: (name: string) => Effect.Effect<void, NotFound | Conflict | InvalidInput | ProviderFailure>

    readonly listObjects: (
      container: string,
      options?: ListOptions
    ) => Stream.Stream<ListEntry, NotFound | InvalidInput | ProviderFailure>
    readonly headObject: (container: string, key: string) => Effect.Effect<ObjectInfo, NotFound | InvalidInput | ProviderFailure>
    /** Not-found is known here, before the first byte of the body. */
    readonly getObject: (
      container: string,
      key: string,
      options?: GetOptions
    ) => Effect.Effect<Download, NotFound | InvalidInput | ProviderFailure>
    /**
     * Nothing is visible under `key` until the whole body is stored: a failed
     * or interrupted upload leaves the previous object (or none) in place.
     */
    readonly putObject: <E = never>(
      container: string,
      key: string,
      body: Body<E>,
      options?: PutOptions
    ) => Effect.Effect<ObjectInfo, E | NotFound | InvalidInput | IntegrityError | ProviderFailure>
    /** Idempotent: deleting a key that is not there succeeds; a missing container is `NotFound`. */
    readonly deleteObject: (container: string, key: string) => Effect.Effect<void, NotFound | InvalidInput | ProviderFailure>
    readonly copyObject: (
      from: ObjectRef,
      to: ObjectRef
    ) => Effect.Effect<ObjectInfo, NotFound | InvalidInput | Unsupported | ProviderFailure>

    /** A URL anyone can use until it expires, without credentials. */
    readonly signedUrl: (
      container: string,
      key: string,
      options: SignedUrlOptions
    ) => Effect.Effect<string, InvalidInput | Unsupported | ProviderFailure>
    /** Make the container publicly readable through the provider's CDN or public endpoint. */
    readonly enableCdn: (container: string) => Effect.Effect<void, NotFound | InvalidInput | Unsupported | ProviderFailure>
    /** The public URL of the container, or of one object in it. */
    readonly cdnUrl: (
      container: string,
      key?: string
    ) => Effect.Effect<string, NotFound | InvalidInput | Unsupported | ProviderFailure>
  }
}
