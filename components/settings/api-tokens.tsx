"use client";

import { Check, Copy, KeyRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import { createApiTokenAction, revokeApiTokenAction } from "@/app/actions/tokens";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { ApiTokenView } from "@/lib/auth/api-tokens";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { formatStableDate } from "@/lib/ui/format";

/** Create, list and revoke personal API tokens. A new token's secret is shown once, right after creating it. */
export function ApiTokens({ initial }: { initial: ApiTokenView[] }) {
  const [tokens, setTokens] = useState(initial);
  const [name, setName] = useState("");
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  const [revokePending, setRevokePending] = useState(false);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  async function onCreate(event: FormEvent) {
    event.preventDefault();
    setCreating(true);
    setError(null);
    const result = await callAction(() => createApiTokenAction({ name }));
    setCreating(false);
    if (!result.ok) {
      setError(fieldErrors(result.error.details).name ?? result.error.message);
      return;
    }
    setTokens((list) => [result.data.token, ...list]);
    setCreated({ name: result.data.token.name, secret: result.data.secret });
    setCopied(false);
    setName("");
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      // Clipboard refused (permissions, insecure origin): the secret stays selectable on screen.
      setCopied(false);
    }
  }

  async function onRevoke() {
    if (!revoking) return;
    setRevokePending(true);
    setRevokeError(null);
    const result = await callAction(() => revokeApiTokenAction({ tokenId: revoking.id }));
    setRevokePending(false);
    if (!result.ok) {
      setRevokeError(result.error.message);
      return;
    }
    setTokens((list) => list.map((t) => (t.id === result.data.id ? result.data : t)));
    setRevoking(null);
  }

  return (
    <section aria-labelledby="api-tokens-title" className="space-y-5">
      <div>
        <h2 id="api-tokens-title" className="text-lg font-semibold text-stone-900">
          API tokens
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          A token lets a script use the REST API as you:{" "}
          <code className="text-xs">Authorization: Bearer &lt;token&gt;</code>. Only a fingerprint is stored, so the
          token is shown once.
        </p>
      </div>

      <form onSubmit={onCreate} className="flex flex-wrap items-end gap-3" data-testid="token-create-form">
        <Field
          label="Token name"
          hint="e.g. the script or machine that uses it"
          error={error}
          errorTestId="token-name-error"
          className="min-w-64 flex-1"
        >
          {(control) => (
            <Input
              {...control}
              data-testid="token-name"
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Button
          type="submit"
          variant="primary"
          data-testid="token-create"
          pending={creating}
          icon={<KeyRound aria-hidden="true" className="size-4" />}
        >
          {creating ? "Creating…" : "Create token"}
        </Button>
      </form>

      {created ? (
        <Alert tone="success" data-testid="token-created">
          <p className="font-medium">Token “{created.name}” created. Copy it now: it will not be shown again.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code
              data-testid="token-secret"
              className="rounded bg-white px-2 py-1 font-mono text-xs break-all text-stone-900 ring-1 ring-emerald-200 select-all"
            >
              {created.secret}
            </code>
            <Button
              size="sm"
              data-testid="token-copy"
              onClick={copy}
              icon={
                copied ? (
                  <Check aria-hidden="true" className="size-4" />
                ) : (
                  <Copy aria-hidden="true" className="size-4" />
                )
              }
            >
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button size="sm" variant="ghost" data-testid="token-created-dismiss" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </Alert>
      ) : null}

      {tokens.length === 0 ? (
        <p className="text-sm text-stone-500" data-testid="token-empty">
          You have no API tokens yet.
        </p>
      ) : (
        <ul className="divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white" data-testid="token-list">
          {tokens.map((t) => (
            <li
              key={t.id}
              data-testid="token-row"
              data-token-id={t.id}
              data-revoked={t.revokedAt ? "true" : "false"}
              className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
            >
              <div className="min-w-0">
                <p className="truncate font-medium text-stone-900">{t.name}</p>
                <p className="text-xs text-stone-500">
                  <code>{t.prefix}…</code> · created {formatStableDate(t.createdAt)} ·{" "}
                  {t.lastUsedAt ? `last used ${formatStableDate(t.lastUsedAt)}` : "never used"}
                  {t.expiresAt ? ` · expires ${formatStableDate(t.expiresAt)}` : ""}
                </p>
              </div>
              {t.revokedAt ? (
                <span
                  className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-600"
                  data-testid="token-revoked"
                >
                  Revoked {formatStableDate(t.revokedAt)}
                </span>
              ) : (
                <Button
                  size="sm"
                  variant="ghost-danger"
                  data-testid="token-revoke"
                  onClick={() => {
                    setRevokeError(null);
                    setRevoking(t);
                  }}
                >
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}

      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          description="Scripts using this token stop working at once. This cannot be undone."
          confirmLabel="Revoke token"
          pendingLabel="Revoking…"
          pending={revokePending}
          error={revokeError}
          onConfirm={onRevoke}
          onCancel={() => setRevoking(null)}
        />
      ) : null}
    </section>
  );
}
