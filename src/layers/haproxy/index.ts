/** `cloudfx/haproxy`: HAProxy 2.6+ as a LoadBalancer, over its runtime API and configuration file. */
export * as Haproxy from "./Haproxy.js"
