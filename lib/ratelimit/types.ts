export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix time in ms when the window resets. */
  reset: number;
}

export interface Limiter {
  limit(identifier: string, max: number): Promise<LimitResult>;
}
