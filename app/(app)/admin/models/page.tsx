import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { getModelRegistryView, type RegistryView } from "@/lib/stories";
import { formatCount } from "@/lib/ui/format";

export const metadata: Metadata = { title: "Models" };
export const dynamic = "force-dynamic";

const usd = (n: number | null | undefined) => (n === null || n === undefined ? "—" : `$${n}`);

/** The model registry, read-only: it is configured by AI_MODELS_FILE and the environment, never here. */
export default async function AdminModelsPage() {
  const actor = await currentActor();
  let view: RegistryView;
  try {
    view = getModelRegistryView(actor);
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Models</h1>
        <AdminNav current="models" />
      </div>
      <p className="text-sm text-stone-700">
        Read from <code data-testid="models-source">{view.source}</code>. To change a model, edit that file (
        <code>AI_MODELS_FILE</code>) or the environment and restart; keys stay in the environment.
      </p>
      <section aria-labelledby="defaults-h" className="space-y-2">
        <h2 id="defaults-h" className="text-lg font-semibold text-stone-900">
          Default model per task
        </h2>
        <table className="text-sm" data-testid="models-defaults">
          <thead>
            <tr className="text-left text-stone-700">
              <th className="pr-6 font-medium">Task</th>
              <th className="pr-6 font-medium">Model</th>
              <th className="font-medium">Prompt budget cap</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(view.defaults).map(([task, id]) => (
              <tr key={task}>
                <td className="pr-6">{task}</td>
                <td className="pr-6">{id}</td>
                <td>{formatCount(view.inputCaps[task as keyof typeof view.inputCaps])} tokens</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="models-h" className="space-y-2">
        <h2 id="models-h" className="text-lg font-semibold text-stone-900">
          Models
        </h2>
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm" data-testid="models-table">
            <thead>
              <tr className="border-b border-stone-200 text-left text-stone-700">
                <th className="py-2 pr-4 font-medium">Model</th>
                <th className="py-2 pr-4 font-medium">Provider</th>
                <th className="py-2 pr-4 font-medium">Price per 1M tokens (in / out)</th>
                <th className="py-2 pr-4 font-medium">Per image</th>
                <th className="py-2 pr-4 font-medium">Context window</th>
                <th className="py-2 pr-4 font-medium">Tasks (prompt budget)</th>
                <th className="py-2 pr-4 font-medium">Concurrency</th>
                <th className="py-2 pr-4 font-medium">Falls back to</th>
                <th className="py-2 font-medium">Key</th>
              </tr>
            </thead>
            <tbody>
              {view.models.map((m) => (
                <tr key={m.id} className="border-b border-stone-100 align-top" data-testid={`model-${m.id}`}>
                  <td className="py-2 pr-4">
                    <div className="font-medium text-stone-900">{m.name}</div>
                    <div className="text-stone-700">
                      {m.id}
                      {m.model !== m.id ? ` → ${m.model}` : ""}
                    </div>
                  </td>
                  <td className="py-2 pr-4">
                    {m.provider}
                    {m.baseUrl ? <div className="text-stone-700">{m.baseUrl}</div> : null}
                  </td>
                  <td className="py-2 pr-4">
                    {m.prices ? `${usd(m.prices.inputPerMillion)} / ${usd(m.prices.outputPerMillion)}` : "unknown"}
                  </td>
                  <td className="py-2 pr-4">{usd(m.prices?.perImage)}</td>
                  <td className="py-2 pr-4">{formatCount(m.contextWindow)}</td>
                  <td className="py-2 pr-4">
                    {m.tasks.map((t) => (
                      <div key={t}>
                        {t} ({formatCount(m.inputBudgets[t] ?? 0)})
                      </div>
                    ))}
                  </td>
                  <td className="py-2 pr-4">{m.concurrency}</td>
                  <td className="py-2 pr-4">{m.fallbacks.length ? m.fallbacks.join(", ") : "—"}</td>
                  <td className="py-2">
                    {m.apiKeyEnv ? (
                      <>
                        <code>{m.apiKeyEnv}</code> {m.keySet ? "set" : "not set"}
                      </>
                    ) : (
                      "none"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
