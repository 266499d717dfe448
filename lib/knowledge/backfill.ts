/**
 * Passages without an embedding from their organisation's embedding model — stored before a model
 * was configured, embedded by a model it no longer uses, or whose embedding call failed — are
 * embedded in the background by a durable job, in batches; until then full text finds them.
 */
import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { getDb, hasVectors, rowsOf, type Db } from "@/lib/db";
import { enqueueJobOnce, type JobHandler } from "@/lib/jobs";
import type { EmbeddingPayer } from "@/lib/billing";
import {
  embeddedText,
  embedEach,
  embeddingModelOf,
  embedPassages,
  forgetEmbeddingModel,
  indexEmbeddings,
  vectorLiteral,
  type PassageEmbeddings,
} from "./embeddings";

/** Passages per embedding call. */
const BACKFILL_BATCH = 100;
/** Batches per run of the job: then it queues its sequel, so other jobs are not kept waiting. */
const BATCHES_PER_RUN = 20;

/** Queues the organisation's backfill where it has an embedding model; one waiting job covers every passage. */
export async function queueEmbeddingBackfill(db: Db, orgId: string): Promise<void> {
  if (await embeddingModelOf(db, orgId)) await enqueueJobOnce(db, { kind: "knowledge.embed", payload: { orgId } });
}

/**
 * Stores passages with what they come from: their texts are embedded first (outside the
 * transaction, the call may be slow; paid by `payer`), then `store` writes the source and its
 * passages, with the embeddings where there are some, in one transaction. Passages the call could
 * not embed are embedded by the backfill.
 */
export async function storeWithPassages<T>(
  db: Db,
  payer: EmbeddingPayer,
  texts: string[],
  store: (tx: Db, embeddings: PassageEmbeddings | null) => Promise<T>,
): Promise<T> {
  const embeddings = await embedPassages(db, payer, texts);
  const stored = await db.transaction((tx) => store(tx, embeddings));
  if (!embeddings) await queueEmbeddingBackfill(db, payer.orgId);
  return stored;
}

/** After the organisation's providers change: passages are embedded with the model that applies now. */
export async function embeddingModelChanged(db: Db, orgId: string): Promise<void> {
  forgetEmbeddingModel(orgId);
  await queueEmbeddingBackfill(db, orgId);
}

/**
 * At start: organisations with passages never embedded, or not by the deployment's model (set or
 * changed since), get their backfill queued; each job checks against the organisation's own model.
 */
export async function queueEmbeddingBackfills(db: Db): Promise<void> {
  if (!hasVectors(db)) return;
  const deploymentModel = config().EMBEDDING_MODEL ?? null;
  const stale = deploymentModel
    ? sql`embedding_model is distinct from ${deploymentModel} and embedding_refused_by is distinct from ${deploymentModel}`
    : sql`embedding_model is null and embedding_refused_by is null`;
  const orgs = await rowsOf<{ orgId: string }>(db, sql`select distinct org_id as "orgId" from knowledge_chunks where ${stale}`);
  for (const { orgId } of orgs) await queueEmbeddingBackfill(db, orgId);
}

/**
 * Embeds the next batch of the organisation's passages that lack its model's embedding (and that
 * the model has not refused, see embedEach: those stay full-text only); false once none are left.
 */
async function embedNextBatch(db: Db, orgId: string): Promise<boolean> {
  const model = await embeddingModelOf(db, orgId);
  if (!model) return false;
  const passages = await rowsOf<{ id: string; heading: string; content: string }>(
    db,
    sql`select id, heading, content from knowledge_chunks
        where org_id = ${orgId} and embedding_model is distinct from ${model.modelId}
          and embedding_refused_by is distinct from ${model.modelId}
        order by id limit ${BACKFILL_BATCH}`,
  );
  if (passages.length === 0) return false;
  // A failure is thrown: the job is tried again later, with backoff.
  // Paid by the organisation: the passages are its own, stored before (or without) their embedding.
  const embeddings = await embedEach(model, passages.map(embeddedText), { orgId, key: null });
  await indexEmbeddings(db, embeddings);
  const { modelId, vectors } = embeddings;
  const rows = passages.map((passage, i) => {
    const vector = vectors[i];
    return sql`(${passage.id}::uuid, ${vector ? vectorLiteral(vector) : null}::text)`;
  });
  // A passage deleted or replaced meanwhile matches no row; the vectors are bind parameters (see vectorLiteral).
  await db.execute(
    sql`update knowledge_chunks
        set embedding_model = case when batch.embedding is null then knowledge_chunks.embedding_model else ${modelId} end,
            embedding = case when batch.embedding is null then knowledge_chunks.embedding else batch.embedding::vector end,
            embedding_refused_by = case when batch.embedding is null then ${modelId} end
        from (values ${sql.join(rows, sql`, `)}) as batch(id, embedding)
        where knowledge_chunks.id = batch.id and knowledge_chunks.org_id = ${orgId}`,
  );
  return passages.length === BACKFILL_BATCH;
}

export const knowledgeEmbedHandler: JobHandler<"knowledge.embed"> = {
  async run({ orgId }) {
    const db = await getDb();
    // The model as it is now: the change that queued this job may have been made on another instance.
    forgetEmbeddingModel(orgId);
    for (let batch = 0; batch < BATCHES_PER_RUN; batch++) if (!(await embedNextBatch(db, orgId))) return;
    await enqueueJobOnce(db, { kind: "knowledge.embed", payload: { orgId } });
  },
  // Its attempts span seconds; a provider out for longer must not leave passages unembedded until the next start.
  async giveUp({ orgId }) {
    const runAt = new Date(Date.now() + config().KNOWLEDGE_BACKFILL_RETRY_MS);
    await enqueueJobOnce(await getDb(), { kind: "knowledge.embed", payload: { orgId }, runAt });
  },
};
