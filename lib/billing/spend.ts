export function microcentsToCents(value: number): number {
  return Math.round(value / 10_000) / 100;
}
