import { z } from 'zod';

/** The range of PostgreSQL's `integer`: every stored position, count of days and version. */
export const INT4_MAX = 2_147_483_647;
const INT4_MIN = -2_147_483_648;

/**
 * A whole number that fits the integer column it is stored in. Without the bound a value of 2^31 got
 * past validation and came back from PostgreSQL as "a value is out of range", naming no field.
 */
export const storedInteger = () =>
  z
    .number()
    .int()
    .min(INT4_MIN, `must be at least ${INT4_MIN.toLocaleString('en-US')}`)
    .max(INT4_MAX, `must be at most ${INT4_MAX.toLocaleString('en-US')}`);
