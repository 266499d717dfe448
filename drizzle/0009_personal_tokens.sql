ALTER TABLE "user_tokens" ADD COLUMN "public_id" text;--> statement-breakpoint
-- Tokens created before public ids existed (the demo token among them) get one derived from their row id.
UPDATE "user_tokens" SET "public_id" = 'pat_' || substr(md5("id"::text), 1, 16);--> statement-breakpoint
ALTER TABLE "user_tokens" ALTER COLUMN "public_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD COLUMN "last4" text;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_tokens" ADD CONSTRAINT "user_tokens_public_id_unique" UNIQUE("public_id");
