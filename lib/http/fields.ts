/** Field schemas request schemas share, bounded to what the database can store. */
import { z } from "zod";

/** The largest value a PostgreSQL `integer` column holds. */
export const INTEGER_COLUMN_MAX = 2_147_483_647;

/** A whole number from `min` that fits an `integer` column: larger ones are a 400, not a database error. */
export const integerField = (min = 0) => z.number().int().min(min).max(INTEGER_COLUMN_MAX);
