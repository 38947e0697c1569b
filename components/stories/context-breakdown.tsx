import type { BreakdownSection, ContextBreakdown } from "@/lib/stories";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";

const KIND_LABELS: Record<BreakdownSection["kind"], string> = {
  template: "Template",
  instruction: "Instruction",
  target: "Target page",
  neighbour: "Neighbour",
  codex: "Codex",
  page: "Page",
  summary: "Summary",
  rollup: "Roll-up",
};

const KIND_STYLES: Record<BreakdownSection["kind"], string> = {
  template: "bg-stone-100 text-stone-700",
  instruction: "bg-stone-100 text-stone-700",
  target: "bg-violet-100 text-violet-900",
  neighbour: "bg-violet-50 text-violet-800",
  codex: "bg-amber-100 text-amber-900",
  page: "bg-sky-50 text-sky-800",
  summary: "bg-emerald-50 text-emerald-800",
  rollup: "bg-teal-50 text-teal-800",
};

/**
 * What a page prompt holds, part by part: the prompt preview beside Generate and the admin job detail both show it.
 * Server-renderable (no hooks), so the admin page renders it on the server.
 */
export function ContextBreakdownView({ breakdown, costUsd }: { breakdown: ContextBreakdown; costUsd?: string | null }) {
  const share = Math.min(100, Math.round((breakdown.totalTokens / Math.max(1, breakdown.budgetTokens)) * 100));
  return (
    <div className="space-y-3" data-testid="context-breakdown">
      <div className="space-y-1.5">
        <p className="text-sm text-stone-800" data-testid="context-total">
          <strong className="tabular-nums">{formatCount(breakdown.totalTokens)}</strong> of{" "}
          <span className="tabular-nums">{formatCount(breakdown.budgetTokens)}</span> tokens
          {breakdown.counting === "estimate" ? " (estimated for this model)" : ""} ·{" "}
          <span data-testid="context-coverage">
            {formatCount(breakdown.pagesRepresented)} of {formatCount(breakdown.pageCount)} pages represented
          </span>
          {costUsd !== undefined ? (
            <>
              {" "}
              ·{" "}
              <span data-testid="context-cost">
                {costUsd === null ? "cost unknown for this model" : `about ${costUsd}`}
              </span>
            </>
          ) : null}
        </p>
        <div className="h-1.5 overflow-hidden rounded-full bg-stone-100" aria-hidden="true">
          <div className="h-full rounded-full bg-violet-500" style={{ width: `${share}%` }} />
        </div>
      </div>
      <div className="max-h-[55vh] overflow-auto rounded-lg border border-stone-200">
        <table className="min-w-full text-left text-sm">
          <caption className="sr-only">
            Parts of the prompt, in priority order, with their tokens and why each is there
          </caption>
          <thead className="sticky top-0 bg-stone-50 text-xs text-stone-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Part
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Why
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Tokens
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {breakdown.sections.map((section, i) => (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are a fixed list rendered once; labels may repeat
                key={i}
                data-testid="context-section"
                data-kind={section.kind}
                data-source={section.source}
              >
                <th scope="row" className="px-3 py-1.5 font-normal">
                  <span className={cn("mr-2 rounded px-1.5 py-0.5 text-xs font-medium", KIND_STYLES[section.kind])}>
                    {section.kind === "rollup" && section.source
                      ? section.source === "ai"
                        ? "AI roll-up"
                        : "Roll-up stand-in"
                      : KIND_LABELS[section.kind]}
                  </span>
                  <span data-testid="context-section-label">{section.label}</span>
                </th>
                <td className="px-3 py-1.5 text-stone-600" data-testid="context-section-reason">
                  {section.reason}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums" data-testid="context-section-tokens">
                  {formatCount(section.tokens)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {breakdown.leftOut.length > 0 ? (
        <div data-testid="context-left-out">
          <h3 className="text-sm font-medium text-stone-800">Left out for lack of room</h3>
          <ul className="list-disc pl-5 text-sm text-stone-600">
            {breakdown.leftOut.map((item, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list rendered once
              <li key={i}>
                {item.label}: {item.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
