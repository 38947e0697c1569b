"use client";

import { CircleAlert, CircleCheck, Info, X } from "lucide-react";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { cn } from "@/lib/ui/cn";
import { focusRing } from "./button";

type ToastTone = "info" | "success" | "error";

export interface ToastInput {
  message: string;
  tone?: ToastTone;
  /** One action, e.g. Undo. Pressing it dismisses the toast. */
  action?: { label: string; onClick: () => void; testId?: string };
  /** Milliseconds before the toast goes away by itself (paused while hovered or focused). */
  duration?: number;
}

interface ToastItem extends Required<Pick<ToastInput, "message" | "tone" | "duration">> {
  id: number;
  action?: ToastInput["action"];
}

interface ToastApi {
  show: (toast: ToastInput) => number;
  dismiss: (id: number) => void;
  error: (message: string) => number;
  success: (message: string) => number;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast must be used inside <ToastProvider>");
  return api;
}

const defaultDuration: Record<ToastTone, number> = { info: 5000, success: 4000, error: 8000 };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const show = useCallback((input: ToastInput) => {
    const id = nextId.current++;
    const tone = input.tone ?? "info";
    const item: ToastItem = {
      id,
      message: input.message,
      tone,
      duration: input.duration ?? (input.action ? 10000 : defaultDuration[tone]),
      action: input.action,
    };
    // Keep the stack short: the newest five.
    setToasts((all) => [...all, item].slice(-5));
    return id;
  }, []);
  const api = useMemo<ToastApi>(
    () => ({
      show,
      dismiss,
      error: (message) => show({ message, tone: "error" }),
      success: (message) => show({ message, tone: "success" }),
    }),
    [show, dismiss],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section
        aria-label="Notifications"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end"
      >
        {toasts.map((toast) => (
          <Toast key={toast.id} toast={toast} onDismiss={() => dismiss(toast.id)} />
        ))}
      </section>
    </ToastContext.Provider>
  );
}

const icons: Record<ToastTone, ReactNode> = {
  info: <Info aria-hidden="true" className="size-4 shrink-0 text-stone-300" />,
  success: <CircleCheck aria-hidden="true" className="size-4 shrink-0 text-emerald-400" />,
  error: <CircleAlert aria-hidden="true" className="size-4 shrink-0 text-red-400" />,
};

function Toast({ toast, onDismiss }: { toast: ToastItem; onDismiss: () => void }) {
  const [paused, setPaused] = useState(false);
  const remaining = useRef(toast.duration);
  const onDismissRef = useRef(onDismiss);
  useEffect(() => {
    onDismissRef.current = onDismiss;
  });

  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = window.setTimeout(() => onDismissRef.current(), remaining.current);
    return () => {
      window.clearTimeout(timer);
      remaining.current = Math.max(1500, remaining.current - (Date.now() - started));
    };
  }, [paused]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the pointer and focus handlers only pause the auto-dismiss timer while the user is on the toast; the toast itself is not a control
    <div
      data-testid="toast"
      data-tone={toast.tone}
      role={toast.tone === "error" ? "alert" : "status"}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setPaused(false);
      }}
      className={cn(
        "pointer-events-auto flex w-full max-w-sm items-center gap-3 rounded-xl px-4 py-3 text-sm text-white shadow-lg",
        "animate-in bg-stone-900 ring-1 ring-white/10",
        toast.tone === "error" && "bg-red-950",
      )}
    >
      {icons[toast.tone]}
      <p className="min-w-0 flex-1">{toast.message}</p>
      {toast.action ? (
        <button
          type="button"
          data-testid={toast.action.testId}
          onClick={() => {
            onDismiss();
            toast.action?.onClick();
          }}
          className={cn(
            "rounded-md px-2 py-1 font-semibold text-emerald-300 hover:bg-white/10 hover:text-emerald-200",
            focusRing,
            "focus-visible:ring-offset-stone-900",
          )}
        >
          {toast.action.label}
        </button>
      ) : null}
      <button
        type="button"
        aria-label="Dismiss notification"
        onClick={onDismiss}
        className={cn(
          "rounded-md p-1 text-stone-400 hover:bg-white/10 hover:text-white",
          focusRing,
          "focus-visible:ring-offset-stone-900",
        )}
      >
        <X aria-hidden="true" className="size-4" />
      </button>
    </div>
  );
}
