ALTER TABLE "agent_tasks" ADD COLUMN "generation_id" uuid;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "door" text DEFAULT 'generate' NOT NULL;--> statement-breakpoint
ALTER TABLE "generations" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "agent_tasks" ADD CONSTRAINT "agent_tasks_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE set null ON UPDATE no action;