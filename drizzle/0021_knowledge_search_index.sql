DROP INDEX "knowledge_chunks_search_idx";--> statement-breakpoint
CREATE INDEX "knowledge_chunks_search_idx" ON "knowledge_chunks" USING gin ("search") WITH (fastupdate=false);