/**
 * Operations take either an id or the model itself, so results of one call
 * feed the next without unwrapping (`destroyNode(node)` or `destroyNode("i-1")`).
 */
export type Ref = string | { readonly id: string }

// Untyped callers (JavaScript, JSON input) can pass anything: answer "" so the
// input checks report it as InvalidInput instead of a TypeError escaping.
export const refId = (ref: Ref): string =>
  typeof ref === "string" ? ref : typeof ref === "object" && ref !== null && typeof ref.id === "string" ? ref.id : ""
