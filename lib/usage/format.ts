/** Formatting shared by the usage page, its charts (in the browser) and the CSV export: no server imports. */

const MICROCENTS_PER_USD = 100_000_000;

const small = new Intl.NumberFormat("en", { maximumSignificantDigits: 2 });

/** Micro-cents as US dollars: cents for amounts from a cent up, more digits below, so small spend is not shown as $0.00. */
export function formatUsd(microcents: number): string {
  const usd = microcents / MICROCENTS_PER_USD;
  if (usd === 0) return "$0.00";
  if (Math.abs(usd) >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${small.format(usd)}`;
}

/** Micro-cents as a plain decimal dollar amount (never in exponent notation), exact to the micro-cent: for CSV. */
export function usdFixed(microcents: number): string {
  return (microcents / MICROCENTS_PER_USD).toFixed(8);
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en");

export function formatCount(value: number, { short = false } = {}): string {
  return short ? compact.format(value) : whole.format(value);
}
