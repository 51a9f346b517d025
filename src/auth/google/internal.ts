/** @internal Helpers shared by the Google signers. Not exported from the package. */
import { ParseResult } from "effect"

/** Who raised an error: copied into every error the signers produce. */
export interface Where {
  readonly provider: string
  readonly operation: string
}

/**
 * Names the first problem in a parse error by its path and kind only.
 * Schema's own messages quote the offending value ("Expected string, actual
 * …"), which for a key file or a token response may be a secret: never use them.
 */
export const describeParseError = (error: ParseResult.ParseError): { readonly field: string; readonly reason: string } => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return { field: "(root)", reason: "is not valid" }
  const field = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")
  const reason = issue._tag === "Missing"
    ? "is missing"
    : issue._tag === "Unexpected"
    ? "is not expected"
    : issue.path.length === 0
    ? "is not a JSON object"
    : "is not valid"
  return { field, reason }
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ */
export const encodeRfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
