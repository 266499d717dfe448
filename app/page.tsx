import { EndpointList } from "@/components/endpoint-list";

export default function Home() {
  return (
    <main>
      <h1>Conduit</h1>
      <p>
        A self-hostable gateway for AI agents: API keys, rate limits, streaming and usage records in front of any OpenAI-compatible model.
      </p>
      <h2>Endpoints</h2>
      <EndpointList />
      <p>
        On first start Conduit seeds a demo organisation, agent and API key and prints a ready-to-paste
        <code> curl</code>; the same values are in <code>.data/demo.json</code>.
      </p>
    </main>
  );
}
