import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/admin-nav";
import { Alert } from "@/components/ui/alert";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { getAdminHealth, type HealthFinding, requireAdmin } from "@/lib/stories";
import { formatDuration, formatPercent } from "@/lib/ui/admin-format";
import { formatCount } from "@/lib/ui/format";

export const metadata: Metadata = { title: "Health" };
export const dynamic = "force-dynamic";

const tone = { problem: "error", warning: "warning", ok: "success" } as const;

function Finding({ finding }: { finding: HealthFinding }) {
  return (
    <Alert tone={tone[finding.level]} data-testid="health-finding">
      <p className="font-medium">
        {finding.subject}: {finding.what}
      </p>
      <p className="mt-1 text-sm">{finding.action}</p>
      {finding.jobId ? (
        <Link className="mt-1 inline-block text-sm underline" href={`/admin/jobs/${finding.jobId}`}>
          Open the job
        </Link>
      ) : null}
    </Alert>
  );
}

export default async function AdminHealthPage() {
  const actor = await currentActor();
  try {
    requireAdmin(actor);
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  const health = await getAdminHealth(actor);
  const { ledger, engine, findings } = health;
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Health</h1>
        <AdminNav current="health" />
      </div>

      <section aria-labelledby="health-findings" className="space-y-3">
        <h2 id="health-findings" className="text-lg font-semibold text-stone-900">
          What needs attention
        </h2>
        {findings.length ? (
          findings.map((f, i) => <Finding key={`${f.subject}-${f.jobId ?? i}`} finding={f} />)
        ) : (
          <Alert tone="success" data-testid="health-all-clear">
            Nothing needs attention: the engine keeps up, no model fails often, no job is stuck.
          </Alert>
        )}
      </section>

      <section aria-labelledby="health-models" className="space-y-3">
        <h2 id="health-models" className="text-lg font-semibold text-stone-900">
          Models in the last hour
        </h2>
        {ledger.models.length ? (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="health-models">
              <thead className="text-xs text-stone-600">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Model
                  </th>
                  <th scope="col" className="py-2 pr-4 text-right font-medium">
                    Calls
                  </th>
                  <th scope="col" className="py-2 pr-4 text-right font-medium">
                    Error rate
                  </th>
                  <th scope="col" className="py-2 pr-4 text-right font-medium">
                    Latency p50 / p95
                  </th>
                  <th scope="col" className="py-2 pr-4 font-medium">
                    Last error
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-stone-200 text-stone-800">
                {ledger.models.map((m) => (
                  <tr key={`${m.provider}/${m.model}`} data-testid="health-model-row">
                    <td className="py-2 pr-4">
                      {m.provider} / {m.model}
                    </td>
                    <td className="py-2 pr-4 text-right tabular-nums">{formatCount(m.calls)}</td>
                    <td className="py-2 pr-4 text-right tabular-nums">{formatPercent(m.errorRate)}</td>
                    <td className="py-2 pr-4 text-right tabular-nums">
                      {formatDuration(m.p50Ms)} / {formatDuration(m.p95Ms)}
                    </td>
                    <td className="py-2 pr-4">{m.lastErrorCode ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="text-sm text-stone-600">No model was called in the last hour.</p>
        )}
      </section>

      <section aria-labelledby="health-engine" className="space-y-3">
        <h2 id="health-engine" className="text-lg font-semibold text-stone-900">
          Engine and queue
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="health-engine">
          {(
            [
              ["Engine", engine.ok ? `${engine.mode}, running` : `${engine.mode}, not ready`],
              ["Jobs waiting", formatCount(ledger.pending)],
              ["Oldest waiting job", ledger.pending ? formatDuration(ledger.oldestPendingMs) : "—"],
              ["Engine lag", engine.backlog ? formatDuration(engine.backlog.lagMs) : "external"],
              ["Steps due", engine.backlog ? formatCount(engine.backlog.due) : "—"],
              ["Steps waiting for a slot", engine.backlog ? formatCount(engine.backlog.parked) : "—"],
              ["Steps running", engine.backlog ? formatCount(engine.backlog.leased) : "—"],
              ["Instances", engine.backlog ? formatCount(engine.backlog.instances.length) : "—"],
            ] as const
          ).map(([term, value]) => (
            <div key={term} className="rounded-xl border border-stone-200 bg-white p-3">
              <dt className="text-xs text-stone-600">{term}</dt>
              <dd className="mt-1 text-lg font-semibold tabular-nums text-stone-900">{value}</dd>
            </div>
          ))}
        </dl>
        <p className="text-xs text-stone-600">{engine.message}</p>
      </section>
    </div>
  );
}
