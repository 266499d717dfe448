import { unknownApiPath } from "@/lib/surfaces";

/** Unknown API paths (and `/api` itself) answer 404 in the envelope of the dialect whose prefix they fall under. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = unknownApiPath;
