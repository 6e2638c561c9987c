import { QueryFailedError } from 'typeorm';

/** PostgreSQL unique_violation (23505): the row a client tried to create already exists. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}
