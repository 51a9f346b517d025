/**
 * `cloudfx/ssh`: the `Ssh` service over ssh2, known-hosts stores, and
 * `deployNode` with its steps (create a server, wait, SSH in, run steps).
 */
export * as Ssh2 from "./Ssh2.js"
export * as KnownHosts from "./KnownHosts.js"
export { Ssh } from "../../services/Ssh.js"
export * from "../../services/SshErrors.js"
export * from "../../services/Deploy.js"
