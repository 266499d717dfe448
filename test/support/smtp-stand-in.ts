/**
 * A real loopback SMTP server standing in for the operator's mail relay: plain text (no TLS),
 * any login accepted, each message kept raw and parsed with postal-mime. `refuseNext` makes it
 * answer the next messages with an SMTP error instead, as a relay under pressure would.
 */
import { arrivals } from "./arrivals";
import type { AddressInfo } from "node:net";
import PostalMime, { type Email } from "postal-mime";
import { SMTPServer } from "smtp-server";

export type ParsedMail = Email & {
  /** MAIL FROM and RCPT TO, as the client gave them. */
  envelope: { from: string | null; to: string[] };
  /** The login used, when the client authenticated. */
  user: string | null;
  /** The message exactly as received. */
  raw: string;
};

export interface SmtpStandIn {
  /** smtp://user:password@127.0.0.1:port, for SMTP_URL. */
  url: string;
  messages: ParsedMail[];
  /** Resolves once at least `count` messages have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Answers the next message's data with this SMTP code (e.g. 451, 554) instead of accepting it. */
  refuseNext(responseCode: number, message: string): void;
  close(): Promise<void>;
}

class SmtpRefusal extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const arrived = arrivals<ParsedMail>("message(s)");
  const refusals: SmtpRefusal[] = [];

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    // Tests close it right after their last message; waiting for idle clients would only slow them.
    closeTimeout: 1_000,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? "" }),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const refusal = refusals.shift();
        if (refusal) return callback(refusal);
        const raw = Buffer.concat(chunks);
        PostalMime.parse(raw).then(
          (parsed) => {
            arrived.add({
              ...parsed,
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                to: session.envelope.rcptTo.map((recipient) => recipient.address),
              },
              user: typeof session.user === "string" ? session.user : null,
              raw: raw.toString("utf8"),
            });
            callback();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://conduit:relay-password@127.0.0.1:${port}`,
    messages: arrived.items,
    waitFor: arrived.waitFor,
    refuseNext: (responseCode, message) => refusals.push(new SmtpRefusal(message, responseCode)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
