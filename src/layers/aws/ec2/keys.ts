/**
 * OpenSSH public keys as EC2 takes them, and EC2 fingerprints as cloudfx
 * reports them.
 *
 * ImportKeyPair accepts RSA and ED25519 keys only
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html);
 * anything else is refused here, before a request, with the reason.
 */

export interface PublicKey {
  readonly type: "ssh-rsa" | "ssh-ed25519"
  readonly blob: Buffer
  /** The line as EC2 should store it: type, key data and comment. */
  readonly line: string
}

const otherTypes = new Set([
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "ssh-dss"
])

/** One OpenSSH public key line, or the reason it is not one EC2 can import. */
export const parsePublicKey = (input: string): PublicKey | string => {
  if (typeof input !== "string") return "must be a string"
  const line = input.trim()
  if (line === "") return "is empty"
  if (/[\r\n\0]/.test(line)) return "must be a single OpenSSH public key line"
  const [type, base64, ...comment] = line.split(/[ \t]+/)
  if (type !== "ssh-rsa" && type !== "ssh-ed25519") {
    return otherTypes.has(type ?? "")
      ? `EC2 imports RSA and ED25519 keys only, not ${type}`
      : `key type "${(type ?? "").slice(0, 40)}" is not an OpenSSH public key type`
  }
  if (base64 === undefined) return "has no key data"
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return "key data is not base64"
  const blob = Buffer.from(base64, "base64")
  if (blob.length < 4) return "key data is too short"
  const typeLength = blob.readUInt32BE(0)
  if (typeLength > blob.length - 4) return "key data is truncated"
  const embedded = blob.subarray(4, 4 + typeLength).toString("latin1")
  if (embedded !== type) return `key data is a "${embedded.slice(0, 40)}" key, not ${type}`
  const at = 4 + typeLength
  if (type === "ssh-ed25519") {
    if (blob.length !== at + 4 + 32 || blob.readUInt32BE(at) !== 32) return "ed25519 key data must hold a 32-byte key"
  } else {
    // ssh-rsa: mpint e, mpint n.
    if (blob.length < at + 4) return "key data is truncated"
    const eLength = blob.readUInt32BE(at)
    const nAt = at + 4 + eLength
    if (nAt + 4 > blob.length) return "key data is truncated"
    const nLength = blob.readUInt32BE(nAt)
    if (nAt + 4 + nLength !== blob.length) return "key data is truncated"
    // EC2 takes 1024 to 4096-bit RSA keys (a leading zero byte keeps n positive).
    const bits = (nLength - (blob[nAt + 4] === 0 ? 1 : 0)) * 8
    if (bits < 1024 || bits > 4096) return `RSA keys must be 1024 to 4096 bits, this one is ${bits}`
  }
  return { type, blob, line: [type, base64, ...comment].join(" ") }
}

/**
 * EC2 reports RSA fingerprints as colon-separated hex (MD5 of the key for
 * imported keys, SHA-1 of the private key for generated ones) and ED25519
 * ones as the base64 SHA-256 digest, padded. The latter is written the way
 * `ssh-keygen -l` does ("SHA256:…", unpadded) so it compares equal to what
 * every other provider reports; hex forms are kept as they are.
 */
export const normalizeFingerprint = (fingerprint: string): string => {
  const f = fingerprint.trim()
  if (/^[A-Za-z0-9+/]{43}=?$/.test(f)) return `SHA256:${f.replace(/=+$/, "")}`
  return f
}
