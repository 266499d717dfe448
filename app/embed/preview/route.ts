import { widgetPreviewPage } from "@/lib/widget";

/** The widget's launcher (`?state=closed`, the default) or open panel (`?state=open`), for the dashboard's live preview. */
export function GET(request: Request): Response {
  return widgetPreviewPage(new URL(request.url).searchParams.get("state") === "open" ? "open" : "closed");
}
