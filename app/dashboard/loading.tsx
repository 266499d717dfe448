export default function Loading() {
  return (
    <p role="status" className="text-sm text-text-muted">
      Loading…
    </p>
  );
}
