/**
 * A bar chart as inline SVG: no chart library, readable at a glance, with each bar's number one hover away (an SVG
 * <title>) and the same numbers in a table for screen readers and for anyone who wants to copy them.
 */
export interface BarDatum {
  label: string;
  value: number;
  /** Optional second series drawn on top of the bar (e.g. the failed part of the jobs). */
  highlight?: number;
}

export function BarChart({
  title,
  data,
  format = (n) => String(n),
  highlightLabel,
  height = 140,
  testId,
}: {
  title: string;
  data: BarDatum[];
  format?: (n: number) => string;
  highlightLabel?: string;
  height?: number;
  testId?: string;
}) {
  const max = Math.max(0, ...data.map((d) => d.value));
  const width = Math.max(data.length * 14, 280);
  const bar = width / Math.max(data.length, 1);
  const total = data.reduce((sum, d) => sum + d.value, 0);
  return (
    <figure className="space-y-1" data-testid={testId}>
      <figcaption className="flex items-baseline justify-between text-sm">
        <span className="font-medium text-stone-800">{title}</span>
        <span className="text-xs text-stone-500">max {format(max)}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        className="h-36 w-full rounded-lg border border-stone-200 bg-white"
        role="img"
        aria-label={`${title}: ${data.length} bars, total ${format(total)}, highest ${format(max)}.`}
      >
        {data.map((d, i) => {
          const h = max > 0 ? (d.value / max) * (height - 8) : 0;
          const hh = max > 0 && d.highlight ? (d.highlight / max) * (height - 8) : 0;
          return (
            <g key={d.label}>
              <title>
                {`${d.label}: ${format(d.value)}${highlightLabel && d.highlight !== undefined ? ` (${highlightLabel} ${format(d.highlight)})` : ""}`}
              </title>
              {/* The full-height hit area makes a zero-height bar hoverable too. */}
              <rect x={i * bar} y={0} width={bar} height={height} fill="transparent" />
              <rect x={i * bar + bar * 0.15} y={height - h} width={bar * 0.7} height={h} className="fill-emerald-600" />
              {hh > 0 ? (
                <rect x={i * bar + bar * 0.15} y={height - hh} width={bar * 0.7} height={hh} className="fill-red-500" />
              ) : null}
            </g>
          );
        })}
      </svg>
      {data.length > 0 ? (
        <div className="flex justify-between text-[10px] text-stone-500" aria-hidden="true">
          <span>{data[0]!.label}</span>
          <span>{data.at(-1)!.label}</span>
        </div>
      ) : null}
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{format(d.value)}</td>
              {highlightLabel ? (
                <td>{d.highlight === undefined ? "" : `${highlightLabel} ${format(d.highlight)}`}</td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** Horizontal bars for a ranked breakdown (per model, per user…), with the numbers printed beside each bar. */
export function RankedBars({
  title,
  rows,
  format = (n) => String(n),
  testId,
}: {
  title: string;
  rows: { label: string; value: number; detail?: string }[];
  format?: (n: number) => string;
  testId?: string;
}) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return (
    <figure className="space-y-2" data-testid={testId}>
      <figcaption className="text-sm font-medium text-stone-800">{title}</figcaption>
      {rows.length === 0 ? <p className="text-sm text-stone-500">Nothing in this range.</p> : null}
      <ul className="space-y-1.5">
        {rows.map((r) => (
          <li
            key={r.label}
            className="grid grid-cols-[minmax(0,10rem)_1fr_auto] items-center gap-2 text-xs"
            title={r.detail ? `${r.label}: ${r.detail}` : undefined}
          >
            <span className="truncate text-stone-700" title={r.label}>
              {r.label}
            </span>
            <svg viewBox="0 0 100 8" preserveAspectRatio="none" className="h-3 w-full" aria-hidden="true">
              <rect x={0} y={0} width={100} height={8} className="fill-stone-100" />
              <rect x={0} y={0} width={max > 0 ? (r.value / max) * 100 : 0} height={8} className="fill-emerald-600" />
            </svg>
            <span className="tabular-nums text-stone-900">
              {format(r.value)}
              {r.detail ? <span className="ml-1 text-stone-500">{r.detail}</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
