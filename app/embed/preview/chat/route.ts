import { widgetPreviewChatPage } from "@/lib/widget";

/** The chat inside the preview's open panel: a sample conversation, no session. */
export function GET(): Response {
  return widgetPreviewChatPage();
}
