ALTER TABLE "widget_visitors" ALTER COLUMN "visitor_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "widget_keys" ADD COLUMN "identity_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "widget_keys" ADD COLUMN "identity_secret_start" text;--> statement-breakpoint
ALTER TABLE "widget_visitors" ADD COLUMN "subject" text;--> statement-breakpoint
ALTER TABLE "widget_visitors" ADD COLUMN "email" text;--> statement-breakpoint
CREATE UNIQUE INDEX "widget_visitors_subject_idx" ON "widget_visitors" USING btree ("widget_key_id","subject");--> statement-breakpoint
ALTER TABLE "widget_visitors" ADD CONSTRAINT "widget_visitors_one_identity" CHECK (("widget_visitors"."visitor_id" is null) <> ("widget_visitors"."subject" is null));