CREATE TABLE "gate_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"status" text NOT NULL,
	"message" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_by_user_id" uuid,
	"revision_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_thread_id_gate_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."gate_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gate_decisions_thread_idx" ON "gate_decisions" USING btree ("thread_id","created_at");--> statement-breakpoint
-- Threads opened before the history existed: their opening by the rules (from the request log),
-- a reviewer's pending escalation, and their final decision, as far as the thread row still tells.
INSERT INTO "gate_decisions" ("org_id", "thread_id", "status", "message", "decided_by", "created_at")
SELECT "org_id", "thread_id", CASE WHEN "message" LIKE 'Escalated%' THEN 'escalated' ELSE 'needs_review' END, "message", 'rules', "created_at"
FROM "gate_requests" WHERE "thread_id" IS NOT NULL AND "status" = 'pending_review';--> statement-breakpoint
INSERT INTO "gate_decisions" ("org_id", "thread_id", "status", "message", "decided_by", "created_at")
SELECT "org_id", "id", 'escalated', "decision_message", 'reviewer', "updated_at"
FROM "gate_threads" WHERE "status" = 'escalated' AND "decided_at" IS NULL AND "decision_message" IS NOT NULL;--> statement-breakpoint
INSERT INTO "gate_decisions" ("org_id", "thread_id", "status", "message", "decided_by", "decided_by_user_id", "created_at")
SELECT "org_id", "id", "status", coalesce("decision_message", ''), CASE WHEN "decided_by_user_id" IS NULL THEN 'rules' ELSE 'reviewer' END, "decided_by_user_id", "decided_at"
FROM "gate_threads" WHERE "status" IN ('approved', 'rejected') AND "decided_at" IS NOT NULL;
