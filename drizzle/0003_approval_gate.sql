CREATE TABLE "approval_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"task_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_tokens_thread_id_unique" UNIQUE("thread_id"),
	CONSTRAINT "approval_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "gate_agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_start" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"api_enabled" boolean DEFAULT true NOT NULL,
	"polling_enabled" boolean DEFAULT true NOT NULL,
	"signed_tokens_enabled" boolean DEFAULT false NOT NULL,
	"webhook_url" text,
	"webhook_secret_ciphertext" text,
	"agent_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gate_agents_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "gate_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"gate_agent_id" uuid NOT NULL,
	"task_id" text NOT NULL,
	"thread_id" uuid,
	"event_type" text NOT NULL,
	"event_summary" text NOT NULL,
	"payload" jsonb,
	"image_ids" uuid[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gate_images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"media_type" text NOT NULL,
	"data" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gate_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"gate_agent_id" uuid NOT NULL,
	"task_id" text NOT NULL,
	"thread_id" uuid,
	"tool_name" text NOT NULL,
	"status" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gate_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"tool_id" uuid NOT NULL,
	"type" text NOT NULL,
	"parameter" text NOT NULL,
	"value" jsonb,
	"min" double precision,
	"max" double precision,
	"pattern" text,
	"action" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gate_threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"public_id" text NOT NULL,
	"org_id" uuid NOT NULL,
	"gate_agent_id" uuid NOT NULL,
	"task_id" text NOT NULL,
	"workflow_name" text NOT NULL,
	"task_label" text NOT NULL,
	"tool_name" text NOT NULL,
	"subject" text NOT NULL,
	"preview" text,
	"risk_level" text,
	"summary" jsonb,
	"payload" jsonb,
	"image_ids" uuid[],
	"status" text NOT NULL,
	"elevated" boolean DEFAULT false NOT NULL,
	"revision_id" text,
	"decision_message" text,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gate_threads_public_id_unique" UNIQUE("public_id")
);
--> statement-breakpoint
CREATE TABLE "gate_tools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"default_action" text DEFAULT 'review' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "approval_tokens" ADD CONSTRAINT "approval_tokens_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_tokens" ADD CONSTRAINT "approval_tokens_thread_id_gate_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."gate_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_agents" ADD CONSTRAINT "gate_agents_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_agents" ADD CONSTRAINT "gate_agents_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_events" ADD CONSTRAINT "gate_events_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_events" ADD CONSTRAINT "gate_events_gate_agent_id_gate_agents_id_fk" FOREIGN KEY ("gate_agent_id") REFERENCES "public"."gate_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_events" ADD CONSTRAINT "gate_events_thread_id_gate_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."gate_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_images" ADD CONSTRAINT "gate_images_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_requests" ADD CONSTRAINT "gate_requests_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_requests" ADD CONSTRAINT "gate_requests_gate_agent_id_gate_agents_id_fk" FOREIGN KEY ("gate_agent_id") REFERENCES "public"."gate_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_requests" ADD CONSTRAINT "gate_requests_thread_id_gate_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."gate_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_rules" ADD CONSTRAINT "gate_rules_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_rules" ADD CONSTRAINT "gate_rules_tool_id_gate_tools_id_fk" FOREIGN KEY ("tool_id") REFERENCES "public"."gate_tools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_threads" ADD CONSTRAINT "gate_threads_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_threads" ADD CONSTRAINT "gate_threads_gate_agent_id_gate_agents_id_fk" FOREIGN KEY ("gate_agent_id") REFERENCES "public"."gate_agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_threads" ADD CONSTRAINT "gate_threads_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gate_tools" ADD CONSTRAINT "gate_tools_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gate_agents_org_idx" ON "gate_agents" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "gate_events_task_idx" ON "gate_events" USING btree ("org_id","gate_agent_id","task_id","created_at");--> statement-breakpoint
CREATE INDEX "gate_requests_task_idx" ON "gate_requests" USING btree ("org_id","gate_agent_id","task_id","created_at");--> statement-breakpoint
CREATE INDEX "gate_rules_tool_idx" ON "gate_rules" USING btree ("tool_id");--> statement-breakpoint
CREATE INDEX "gate_threads_task_idx" ON "gate_threads" USING btree ("org_id","gate_agent_id","task_id");--> statement-breakpoint
CREATE INDEX "gate_threads_status_idx" ON "gate_threads" USING btree ("org_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "gate_tools_org_name_idx" ON "gate_tools" USING btree ("org_id","name");