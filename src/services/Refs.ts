/**
 * Operations take either an id or the model itself, so results of one call
 * feed the next without unwrapping (`destroyNode(node)` or `destroyNode("i-1")`).
 */
export type Ref = string | { readonly id: string }

export const refId = (ref: Ref): string => (typeof ref === "string" ? ref : ref.id)
