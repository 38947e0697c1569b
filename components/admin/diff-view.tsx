import type { DiffPart } from "@/lib/text/diff";

/** A word diff: deletions struck through in red, insertions underlined in green; readable without colour too. */
export function DiffView({ parts }: { parts: DiffPart[] }) {
  if (parts.length === 0) return <p className="text-sm text-stone-500">Both texts are empty.</p>;
  return (
    <div
      data-testid="job-diff"
      className="whitespace-pre-wrap rounded-lg border border-stone-200 bg-white p-3 font-serif text-sm leading-relaxed text-stone-800"
    >
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts are positional (the same text can recur) and never reorder; the whole diff is replaced when the texts change
        <DiffPartView key={i} part={part} />
      ))}
    </div>
  );
}

function DiffPartView({ part }: { part: DiffPart }) {
  if (part.op === "equal") return <span>{part.text}</span>;
  if (part.op === "delete") {
    return (
      <del className="bg-red-50 text-red-800 decoration-red-400">
        <span className="sr-only">[removed: </span>
        {part.text}
        <span className="sr-only">]</span>
      </del>
    );
  }
  return (
    <ins className="bg-emerald-50 text-emerald-900 decoration-emerald-500">
      <span className="sr-only">[added: </span>
      {part.text}
      <span className="sr-only">]</span>
    </ins>
  );
}
