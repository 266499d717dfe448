/** A numeric flag: `--seconds 0` would divide by zero, but `--conduit-warmup 0` just skips the warm-up. */
export function numberFlag(raw: string, name: string, { integer = false, allowZero = false } = {}): number {
  const value = Number(raw);
  const valid = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && (!integer || Number.isInteger(value));
  if (!valid) {
    throw new Error(`--${name} must be a ${allowZero ? "non-negative" : "positive"} ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
}
