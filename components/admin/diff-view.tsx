import type { DiffPart } from "@/lib/text/diff";

/** A word diff: deletions struck through in red, insertions underlined in green; readable without colour too. */
export function DiffView({ parts }: { parts: DiffPart[] }) {
  if (parts.length === 0) return <p className="text-sm text-stone-500">Both texts are empty.</p>;
  return (
    <div data-testid="job-diff" className="whitespace-pre-wrap rounded-lg border border-stone-200 bg-white p-3 font-serif text-sm leading-relaxed text-stone-800">
      {parts.map((part, i) =>
        part.op === "equal" ? (
          <span key={i}>{part.text}</span>
        ) : part.op === "delete" ? (
          <del key={i} className="bg-red-50 text-red-800 decoration-red-400">
            <span className="sr-only">[removed: </span>
            {part.text}
            <span className="sr-only">]</span>
          </del>
        ) : (
          <ins key={i} className="bg-emerald-50 text-emerald-900 decoration-emerald-500">
            <span className="sr-only">[added: </span>
            {part.text}
            <span className="sr-only">]</span>
          </ins>
        ),
      )}
    </div>
  );
}
