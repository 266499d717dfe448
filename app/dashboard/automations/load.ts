import { notFound } from "next/navigation";
import { ApiError } from "@/lib/errors";

/** Another organisation's automation or run is simply not found, like a missing one. */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ApiError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}
