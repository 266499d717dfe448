"use client";

import { useEffect, useRef } from "react";
import type { WidgetAppearance } from "@/lib/db";
import { LAUNCHER_ICONS } from "@/lib/widget/schemas";

type Look = Required<WidgetAppearance>;

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/**
 * The look the form would save, read from its fields as they are now: an empty text field keeps
 * `current` (the default, or the saved value), as saving does; an empty launcher label means none.
 */
function lookOf(form: HTMLFormElement, current: Look): Look {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value.trim() : "";
  };
  const icon = LAUNCHER_ICONS.find((name) => name === text("launcher_icon"));
  const position = text("position");
  return {
    color: HEX_COLOUR.test(text("color")) ? text("color") : current.color,
    position: position === "left" || position === "right" ? position : current.position,
    greeting: text("greeting") || current.greeting,
    placeholder: text("placeholder") || current.placeholder,
    branding: data.has("branding"),
    launcher_icon: icon ?? current.launcher_icon,
    launcher_label: data.has("launcher_label") ? text("launcher_label") : current.launcher_label,
  };
}

/**
 * A live preview of the widget inside a widget key form: the launcher and the open chat, drawn
 * by the widget's own loader and chat page (`/embed/preview`) in the look the form's fields hold,
 * updated as they change and before anything is saved. No key, no session, no message is sent.
 * It is a picture: inert, hidden from assistive technology (the fields say it all), never focused.
 */
export function WidgetPreview({ current, agentName }: { current: Look; agentName: string }) {
  const box = useRef<HTMLDivElement>(null);
  const launcherFrame = useRef<HTMLIFrameElement>(null);
  const panelFrame = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    const form = box.current?.closest("form");
    const frames = [launcherFrame.current, panelFrame.current].filter((frame) => frame !== null);
    if (!form) return;
    const show = () => {
      const message = { type: "conduit:preview", appearance: lookOf(form, current), agent: { name: agentName } };
      for (const frame of frames) frame.contentWindow?.postMessage(message, window.location.origin);
    };
    // A reset (after saving) changes the fields without input events; they hold the new values only after it.
    const showAfterReset = () => setTimeout(show);
    show();
    form.addEventListener("input", show);
    form.addEventListener("change", show);
    form.addEventListener("reset", showAfterReset);
    for (const frame of frames) frame.addEventListener("load", show);
    return () => {
      form.removeEventListener("input", show);
      form.removeEventListener("change", show);
      form.removeEventListener("reset", showAfterReset);
      for (const frame of frames) frame.removeEventListener("load", show);
    };
  }, [current, agentName]);

  return (
    <figure className="grid gap-2" data-testid="widget-preview">
      <figcaption className="text-sm font-medium">
        Preview <span className="font-normal text-text-muted">— as visitors will see it once saved</span>
      </figcaption>
      <div ref={box} inert aria-hidden="true" className="grid gap-3 sm:grid-cols-[auto_1fr] sm:items-end">
        {/* The page drawn just wider than a phone and shown smaller: below 640 px the chat would fill the screen, as on a phone. */}
        <div className="h-[408px] w-[396px] max-w-full overflow-hidden rounded-md border border-border bg-white">
          <iframe
            ref={panelFrame}
            src="/embed/preview?state=open"
            title="Preview of the open chat"
            className="h-[680px] w-[660px] origin-top-left scale-60 border-0"
          />
        </div>
        <div className="h-24 w-full max-w-[396px] overflow-hidden rounded-md border border-border bg-white">
          <iframe ref={launcherFrame} src="/embed/preview?state=closed" title="Preview of the launcher" className="size-full border-0" />
        </div>
      </div>
    </figure>
  );
}
