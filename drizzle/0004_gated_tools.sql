ALTER TABLE "gate_threads" ADD COLUMN "generation_id" uuid;--> statement-breakpoint
ALTER TABLE "tools" ADD COLUMN "gated" boolean DEFAULT false NOT NULL;