/**
 * A line chart as inline SVG for one or more series over the same labels (e.g. p50 and p95 latency per day). Each
 * point has a <title> with its value, and a screen-reader table repeats the numbers. Missing values break the line.
 */
export interface LineSeries {
  name: string;
  values: (number | null)[];
  className: string;
}

export function LineChart({
  title,
  labels,
  series,
  format = (n) => String(n),
  height = 140,
  testId,
}: {
  title: string;
  labels: string[];
  series: LineSeries[];
  format?: (n: number) => string;
  height?: number;
  testId?: string;
}) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(0, ...all);
  const width = Math.max(labels.length * 14, 280);
  const step = labels.length > 1 ? width / (labels.length - 1) : width;
  const y = (v: number) => height - 6 - (max > 0 ? (v / max) * (height - 12) : 0);
  return (
    <figure className="space-y-1" data-testid={testId}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium text-stone-800">{title}</span>
        <span className="flex gap-3 text-xs text-stone-500">
          {series.map((s) => (
            <span key={s.name} className="flex items-center gap-1">
              <svg viewBox="0 0 10 10" className="size-2.5" aria-hidden="true">
                <rect width={10} height={10} className={s.className.replace("stroke-", "fill-")} />
              </svg>
              {s.name}
            </span>
          ))}
          <span>max {format(max)}</span>
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        className="h-36 w-full rounded-lg border border-stone-200 bg-white"
        role="img"
        aria-label={`${title}: ${series.map((s) => s.name).join(", ")} over ${labels.length} points, highest ${format(max)}.`}
      >
        {series.map((s) => {
          const segments: string[] = [];
          let current = "";
          s.values.forEach((v, i) => {
            if (v === null) {
              if (current) segments.push(current);
              current = "";
              return;
            }
            current += `${current ? " L" : "M"}${(i * step).toFixed(1)},${y(v).toFixed(1)}`;
          });
          if (current) segments.push(current);
          return (
            <g key={s.name}>
              {segments.map((d) => (
                <path
                  key={d}
                  d={d}
                  fill="none"
                  strokeWidth={2}
                  vectorEffect="non-scaling-stroke"
                  className={s.className}
                />
              ))}
              {s.values.map((v, i) =>
                v === null ? null : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: one point per label, in label order; points never reorder and the chart is redrawn whole
                  <circle key={i} cx={i * step} cy={y(v)} r={3} className={s.className.replace("stroke-", "fill-")}>
                    <title>{`${labels[i]} · ${s.name}: ${format(v)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th key={s.name} scope="col">
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.name}>{s.values[i] === null ? "no data" : format(s.values[i]!)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
