import { ApiError } from "@/lib/errors";
import { apiRoute } from "@/lib/http";

/** Unknown API paths answer in the API's error envelope, not with an HTML page. */
const notFound = apiRoute(async (request) => {
  throw new ApiError("NOT_FOUND", `No API route for ${request.method} ${new URL(request.url).pathname}`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
