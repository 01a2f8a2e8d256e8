import { ZodError } from 'zod';

/** One readable line per problem, naming the field, for the CLI (and later the API). */
export function formatError(error: unknown): string {
  if (error instanceof ZodError) {
    return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`).join('\n');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
