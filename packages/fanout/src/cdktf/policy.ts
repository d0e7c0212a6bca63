/** One statement of an IAM, bucket, queue or key policy. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly Service?: string; readonly AWS?: string | readonly string[] };
  readonly Action: readonly string[];
  /** Absent only in trust policies, whose resource is the role itself. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

/**
 * A policy document as JSON. Terraform references inside it (cdktf tokens) survive `JSON.stringify` and
 * become interpolations, so the synthesized policy stays readable JSON rather than an HCL expression.
 */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
