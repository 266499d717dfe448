/** Resumes a Conduit generation paused on gated tool calls once reviewers decided (lib/generations). */
export const REVIEW_RESUME_JOB = "generation.resume-after-review";
