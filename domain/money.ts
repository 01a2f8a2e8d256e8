/**
 * Money arithmetic in integer minor units (cents), so sums of many lines never drift. NetSuite keeps
 * two decimals on amounts and eight on rates.
 */
export function toCents(amount: number): number {
  // Rounds the decimal the amount was written as, so 1.005 (stored as 1.00499…) gives the half-up
  // result a person expects, at any magnitude and symmetrically for negative amounts.
  return sumToCents([amount]);
}

/**
 * The sum of amounts in cents, rounded half away from zero once at the end. Each amount counts as
 * the decimal it was written as (its shortest round-trip form), summed exactly: adding binary floats
 * drifts by more than a half cent's margin once totals reach millions.
 */
export function sumToCents(amounts: Iterable<number>): number {
  let total = 0n;
  let float = 0;
  for (const amount of amounts) {
    float += amount;
    if (Number.isFinite(float)) total += scaled(amount);
  }
  if (!Number.isFinite(float)) return float; // NaN or ±Infinity: nothing exact to say
  const unit = 10n ** BigInt(EXACT_DIGITS - 2);
  const magnitude = ((total < 0n ? -total : total) + unit / 2n) / unit;
  return Number(total < 0n ? -magnitude : magnitude);
}

const EXACT_DIGITS = 20;

/** amount × 10^EXACT_DIGITS as an integer, from the amount's shortest decimal form. */
function scaled(amount: number): bigint {
  const [mantissa = '0', exponent = '0'] = amount.toExponential().split('e');
  const digits = mantissa.replace(/[-.]/g, '');
  const shift = Number(exponent) - (digits.length - 1) + EXACT_DIGITS;
  const magnitude = shift >= 0 ? BigInt(digits) * 10n ** BigInt(shift) : BigInt(digits) / 10n ** BigInt(-shift);
  return mantissa.startsWith('-') ? -magnitude : magnitude;
}

/**
 * What NetSuite can hold: 15 significant digits, so amounts up to 9,999,999,999,999.99 (to the cent)
 * and quantities up to 999,999,999,999,999. Anything larger, or not a finite number, is refused where
 * it enters (a bill PUT answers 400 naming the field) instead of reaching NetSuite as null.
 */
export const MAX_AMOUNT = 9_999_999_999_999.99;
export const MAX_QUANTITY = 999_999_999_999_999;
/** A quantity below this (other than 0) makes the rate amount/quantity unrepresentable. */
export const MIN_QUANTITY = 0.000000001;

export function isStorableAmount(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_AMOUNT;
}

export function isStorableQuantity(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_QUANTITY && (value === 0 || Math.abs(value) >= MIN_QUANTITY);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

export function roundRate(rate: number): number {
  return Math.round(rate * 1e8) / 1e8;
}
