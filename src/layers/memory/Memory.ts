/**
 * The memory cloud: every cloudfx service in memory, behaving like a real
 * provider (pending → running over polls, NotFound / AlreadyExists / Conflict,
 * paginated listings, optional latency and seeded faults), for your own tests.
 *
 * ```ts
 * import { Memory } from "cloudfx/memory"
 * program.pipe(Effect.provide(Memory.layer({ pollsUntilRunning: 1 })))
 * ```
 *
 * Every `make*` returns a fresh, independent cloud; every `layer*` builds one
 * when the layer is built. No HttpClient is needed.
 */
import { Layer } from "effect"
import { Compute } from "../../services/Compute.js"
import { Dns } from "../../services/Dns.js"
import { LoadBalancer } from "../../services/LoadBalancer.js"
import { ObjectStorage } from "../../services/ObjectStorage.js"
import { makeCompute } from "./compute.js"
import type { MemoryConfig } from "./config.js"
import { makeDns } from "./dns.js"
import { makeLoadBalancer } from "./loadBalancer.js"
import { makeObjectStorage, type MemoryStorageConfig } from "./storage.js"

export { makeCompute } from "./compute.js"
export { defaultImages, defaultLocations, defaultSizes } from "./config.js"
export type { MemoryConfig } from "./config.js"
export { makeDns, memoryNameservers, memoryRecordTypes } from "./dns.js"
export type { Behaviour, FaultConfig } from "./faults.js"
export { makeLoadBalancer, memoryAlgorithms, memoryProtocols } from "./loadBalancer.js"
export { makeObjectStorage } from "./storage.js"
export type { MemoryStorageConfig } from "./storage.js"

export const layerCompute = (config?: MemoryConfig): Layer.Layer<Compute> => Layer.effect(Compute, makeCompute(config))

export const layerLoadBalancer = (config?: MemoryConfig): Layer.Layer<LoadBalancer> =>
  Layer.effect(LoadBalancer, makeLoadBalancer(config))

export const layerDns = (config?: MemoryConfig): Layer.Layer<Dns> => Layer.effect(Dns, makeDns(config))

export const layerObjectStorage = (config?: MemoryStorageConfig): Layer.Layer<ObjectStorage> =>
  Layer.effect(ObjectStorage, makeObjectStorage(config))

/** All four services, one independent cloud each, sharing one configuration. */
export const layer = (config: MemoryConfig = {}): Layer.Layer<Compute | ObjectStorage | LoadBalancer | Dns> =>
  Layer.mergeAll(
    layerCompute(config),
    layerObjectStorage(storageConfig(config)),
    layerLoadBalancer(config),
    layerDns(config)
  )

const storageConfig = (config: MemoryConfig): MemoryStorageConfig => ({
  ...(config.latency === undefined ? {} : { latency: config.latency }),
  ...(config.faults === undefined ? {} : { faults: config.faults }),
  ...(config.pageSize === undefined ? {} : { pageSize: config.pageSize })
})
