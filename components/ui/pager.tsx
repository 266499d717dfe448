import Link from "next/link";
import { Button } from "./button";

/**
 * Previous / Next links of a paginated list. Each href is null at its end of the list; the
 * links stay in place (disabled) so the layout does not jump.
 */
export function Pager({ previous, next, label = "Pages" }: { previous: string | null; next: string | null; label?: string }) {
  if (!previous && !next) return null;
  return (
    <nav aria-label={label} className="flex justify-between gap-2">
      {previous ? (
        <Button asChild variant="secondary" size="sm">
          <Link href={previous} rel="prev">
            Previous
          </Link>
        </Button>
      ) : (
        <Button variant="secondary" size="sm" disabled>
          Previous
        </Button>
      )}
      {next ? (
        <Button asChild variant="secondary" size="sm">
          <Link href={next} rel="next">
            Next
          </Link>
        </Button>
      ) : (
        <Button variant="secondary" size="sm" disabled>
          Next
        </Button>
      )}
    </nav>
  );
}
