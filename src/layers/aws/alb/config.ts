/**
 * What an Application Load Balancer client is configured with, beyond what
 * every Elastic Load Balancing client takes (../elb/config.ts).
 */
import type { Config } from "effect"
import { baseEnvConfig, type ElbBaseConfig } from "../elb/config.js"

export interface AlbConfig extends ElbBaseConfig {
  /** "internet-facing" (AWS's default) or "internal", unless `extra.scheme` says otherwise. */
  readonly scheme?: "internet-facing" | "internal" | undefined
  /** The provider id on every error and span. Default "aws-alb". */
  readonly name?: string | undefined
}

export const DEFAULT_NAME = "aws-alb"
export const API_VERSION = "2015-12-01"

/** What `layerConfig` reads when given nothing. */
export const envConfig: Config.Config.Wrap<AlbConfig> = baseEnvConfig("ELASTIC_LOAD_BALANCING_V2")
