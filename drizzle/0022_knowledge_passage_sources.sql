ALTER TABLE "knowledge_chunks" ADD COLUMN "document_public_id" text;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD COLUMN "document_path" text;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD COLUMN "memory_public_id" text;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD COLUMN "entry_public_id" text;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD COLUMN "tags" text[];--> statement-breakpoint
UPDATE "knowledge_chunks" SET "document_public_id" = "documents"."public_id", "document_path" = "documents"."path"
FROM "documents" WHERE "documents"."id" = "knowledge_chunks"."document_id";--> statement-breakpoint
UPDATE "knowledge_chunks" SET "memory_public_id" = "memories"."public_id", "entry_public_id" = "memory_entries"."public_id", "tags" = "memory_entries"."tags"
FROM "memory_entries" JOIN "memories" ON "memories"."id" = "memory_entries"."memory_id" WHERE "memory_entries"."id" = "knowledge_chunks"."memory_entry_id";
