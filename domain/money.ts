/**
 * Money arithmetic in integer minor units (cents), so sums of many lines never drift. NetSuite keeps
 * two decimals on amounts and eight on rates.
 */
export function toCents(amount: number): number {
  // The epsilon nudges values like 1.005 (stored as 1.00499…) to the half-up result a person expects.
  return Math.round(amount * 100 + Math.sign(amount) * 1e-7);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

export function roundRate(rate: number): number {
  return Math.round(rate * 1e8) / 1e8;
}
