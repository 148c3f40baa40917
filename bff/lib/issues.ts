// zod's issues as a client should read them: a path and a message each, nothing else.
import type { ZodError } from 'zod';

export interface Issue {
  path: string;
  message: string;
}

type ZodIssue = ZodError['issues'][number];

/**
 * A union ("items or order_token") that failed as a whole says only that. When one branch came
 * clearly closest (fewest issues), its issues say what to fix: `items.0.quantity expected int`.
 */
function specific(issues: readonly ZodIssue[]): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !issue.errors.length) return [issue];
    const sizes = issue.errors.map((branch) => branch.length);
    const fewest = Math.min(...sizes);
    if (sizes.filter((n) => n === fewest).length !== 1) return [issue];
    const closest = issue.errors[sizes.indexOf(fewest)];
    return specific(closest).map((i) => ({ path: [...issue.path, ...i.path], message: i.message }));
  });
}

export const issuesOf = (error: ZodError): Issue[] =>
  specific(error.issues).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** `Invalid <what>: <first path> <first message>`. */
export function describeIssues(what: string, issues: readonly Issue[]): string {
  const first = issues[0];
  return `Invalid ${what}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}`;
}
