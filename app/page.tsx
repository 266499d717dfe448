import Link from "next/link";
import { EndpointList } from "@/components/endpoint-list";
import { Button } from "@/components/ui/button";

export default function Home() {
  return (
    <main className="mx-auto grid max-w-3xl gap-6 px-6 py-12">
      <header className="flex items-center justify-between gap-4">
        <h1 className="text-3xl font-semibold">Conduit</h1>
        <nav aria-label="Account" className="flex gap-2">
          <Button asChild variant="secondary">
            <Link href="/sign-in">Sign in</Link>
          </Button>
          <Button asChild>
            <Link href="/sign-up">Create an account</Link>
          </Button>
        </nav>
      </header>
      <p>
        A self-hostable gateway for AI agents: API keys, rate limits, streaming and usage records in front of any OpenAI-compatible model.
      </p>
      <h2 className="text-xl font-semibold">Endpoints</h2>
      <EndpointList />
      <p>
        On first start Conduit seeds a demo organisation, agent and API key and prints a ready-to-paste{" "}
        <code className="font-mono">curl</code>; the same values are in <code className="font-mono">.data/demo.json</code>.
      </p>
    </main>
  );
}
