const endpoints = [
  { method: "POST", path: "/api/agents/{agentId}/chat", what: "Agent chat; JSON or NDJSON streaming" },
  { method: "POST", path: "/api/v1/chat", what: "Synchronous chat (employee_id + prompt)" },
  { method: "GET", path: "/api/v1/health", what: "Authenticated health check" },
  { method: "GET", path: "/api/health", what: "Liveness probe" },
];

export function EndpointList() {
  return (
    <ul className="grid list-disc gap-1 pl-6">
      {endpoints.map((endpoint) => (
        <li key={endpoint.path}>
          <code className="font-mono text-sm">
            {endpoint.method} {endpoint.path}
          </code>{" "}
          — {endpoint.what}
        </li>
      ))}
    </ul>
  );
}
