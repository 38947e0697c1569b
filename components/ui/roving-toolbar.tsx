"use client";

import {
  type ComponentProps,
  createContext,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
} from "react";
import { cn } from "@/lib/ui/cn";
import { focusRing } from "./button";

const TOOLBAR_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];

/**
 * Where the arrow, Home and End keys move focus along a toolbar's `items` (the WAI-ARIA toolbar pattern): the index
 * to focus, or null when the key is not one of them or focus is not on an item.
 */
export function toolbarTarget(key: string, items: readonly Element[], focused: Element | null): number | null {
  if (!TOOLBAR_KEYS.includes(key) || items.length === 0) return null;
  const at = focused ? items.indexOf(focused) : -1;
  if (at < 0) return null;
  if (key === "Home") return 0;
  if (key === "End") return items.length - 1;
  const step = key === "ArrowLeft" || key === "ArrowUp" ? -1 : 1;
  return (at + step + items.length) % items.length;
}

const ITEM = "[data-roving-item]";
const ENABLED_ITEM = `${ITEM}:not(:disabled)`;

interface RovingToolbarContext {
  /** Sets the tab stops again: an item appeared, went away or changed whether it is enabled. */
  refresh(): void;
}

const Context = createContext<RovingToolbarContext | null>(null);

/**
 * A toolbar whose controls come from several components (a story's Share, Export, Summarize all, Translate): one tab
 * stop for all of them, the arrows move along them. Each control marks itself with `useRovingItem`; what the controls
 * open (panels, forms) stays in the ordinary tab order. The tab stop is the control last used, or the first enabled
 * one, kept in the DOM so that items rendered by other components need not pass it down.
 */
export function RovingToolbar({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const lastUsed = useRef<Element | null>(null);

  const refresh = useCallback(() => {
    const root = ref.current;
    if (!root) return;
    const enabled = [...root.querySelectorAll(ENABLED_ITEM)];
    const stop = lastUsed.current && enabled.includes(lastUsed.current) ? lastUsed.current : enabled[0];
    for (const item of root.querySelectorAll<HTMLElement>(ITEM)) item.tabIndex = item === stop ? 0 : -1;
  }, []);

  useEffect(refresh);
  const context = useMemo(() => ({ refresh }), [refresh]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const target = event.target as Element;
    if (!target.matches(ITEM)) return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>(ENABLED_ITEM)];
    const index = toolbarTarget(event.key, items, target);
    if (index === null) return;
    event.preventDefault();
    items[index]?.focus();
  }

  function onFocus(event: { target: EventTarget }) {
    const target = event.target as Element;
    if (!target.matches(ITEM)) return;
    lastUsed.current = target;
    refresh();
  }

  return (
    <Context.Provider value={context}>
      <div
        ref={ref}
        role="toolbar"
        aria-label={label}
        aria-orientation="horizontal"
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        className={className}
      >
        {children}
      </div>
    </Context.Provider>
  );
}

/**
 * Marks a control as one of its toolbar's items (props to spread on it). Outside a toolbar the control stays an
 * ordinary tab stop. `disabled` is passed so that the tab stop moves off a control when it becomes disabled.
 */
export function useRovingItem(disabled = false): { "data-roving-item"?: "" } {
  const toolbar = useContext(Context);
  // biome-ignore lint/correctness/useExhaustiveDependencies(disabled): not read inside; a control that becomes disabled cannot keep the tab stop
  useEffect(() => {
    toolbar?.refresh();
    return () => toolbar?.refresh();
  }, [toolbar, disabled]);
  return toolbar ? { "data-roving-item": "" } : {};
}

/**
 * A disclosure's `<summary>`, drawn as a small button, that is one of its toolbar's items (Share, Export, Translate);
 * usable from server components (the story's Export menu has no script of its own).
 */
export function RovingSummary({ className, ...props }: ComponentProps<"summary">) {
  const item = useRovingItem();
  return (
    <summary
      {...props}
      {...item}
      className={cn(
        "inline-flex h-8 cursor-pointer list-none items-center gap-1.5 rounded-md border border-stone-300 bg-white px-2.5 text-sm text-stone-800 shadow-sm hover:border-stone-400 hover:bg-stone-50 [&::-webkit-details-marker]:hidden",
        focusRing,
        className,
      )}
    />
  );
}
