"use client";

import { ArrowDown, ArrowUp, History, ListPlus, Trash2 } from "lucide-react";
import { type KeyboardEvent, type ReactNode, useState } from "react";
import { Button } from "@/components/ui/button";
import { toolbarTarget } from "@/components/ui/roving-toolbar";
import { useStoryRights } from "./story-rights";

/** A page card's icon buttons: history, move up and down, add a page after it, delete it. */
export function PageActions({
  pageNumber,
  isFirst,
  isLast,
  listBusy,
  adding,
  deleting,
  editing,
  generating,
  onHistory,
  onMove,
  onAddAfter,
  onDelete,
}: {
  pageNumber: number;
  isFirst: boolean;
  isLast: boolean;
  /** Another page operation (move, add, delete) is running in the list. */
  listBusy: boolean;
  adding: boolean;
  deleting: boolean;
  editing: boolean;
  generating: boolean;
  onHistory: () => void;
  onMove: (direction: "up" | "down") => void;
  onAddAfter: () => void;
  onDelete: () => void;
}) {
  const { edit: canEdit } = useStoryRights();
  // One tab stop for the whole row (a toolbar with a roving tabindex): five stops per page stood between the
  // story's header and its first page's text. The arrows, Home and End move along the row.
  const [active, setActive] = useState<ActionId>("page-history");
  const hardDisabled: Partial<Record<ActionId, boolean>> = { "page-delete": editing || deleting || generating };
  const current = hardDisabled[active] ? "page-history" : active;
  const stop = (id: ActionId) => ({ tabIndex: id === current ? 0 : -1, onFocus: () => setActive(id) });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>("button:not(:disabled)")];
    const target = toolbarTarget(event.key, buttons, document.activeElement);
    if (target === null) return;
    event.preventDefault();
    buttons[target]?.focus();
  }

  return (
    <div
      role="toolbar"
      aria-label={`Page ${pageNumber} actions`}
      aria-orientation="horizontal"
      onKeyDown={onKeyDown}
      className="flex items-center gap-0.5"
    >
      <IconButton
        {...stop("page-history")}
        testId="page-history"
        label={`History of page ${pageNumber}`}
        title="History"
        onClick={onHistory}
        icon={<History aria-hidden="true" className="size-4" />}
      />
      {/* Moving, adding and deleting are edits: those who may only read see the history alone. */}
      {canEdit ? (
        <>
          {/* Soft-disabled: a button that becomes disabled under the keyboard must keep focus (the move just made it so). */}
          <IconButton
            {...stop("page-move-up")}
            testId="page-move-up"
            label={`Move page ${pageNumber} up`}
            title="Move up"
            softDisabled
            disabled={isFirst}
            onClick={() => onMove("up")}
            icon={<ArrowUp aria-hidden="true" className="size-4" />}
          />
          <IconButton
            {...stop("page-move-down")}
            testId="page-move-down"
            label={`Move page ${pageNumber} down`}
            title="Move down"
            softDisabled
            disabled={isLast}
            onClick={() => onMove("down")}
            icon={<ArrowDown aria-hidden="true" className="size-4" />}
          />
          <IconButton
            {...stop("page-add-after")}
            testId="page-add-after"
            label={`Add a page after page ${pageNumber}`}
            title="Add a page after this one"
            softDisabled
            disabled={listBusy}
            pending={adding}
            onClick={onAddAfter}
            icon={<ListPlus aria-hidden="true" className="size-4" />}
          />
          <IconButton
            {...stop("page-delete")}
            testId="page-delete"
            danger
            label={`Delete page ${pageNumber}`}
            title={editing ? "Finish editing first" : generating ? "Wait for the AI to finish, or cancel it" : "Delete"}
            disabled={editing || deleting || generating}
            pending={deleting}
            onClick={onDelete}
            icon={<Trash2 aria-hidden="true" className="size-4" />}
          />
        </>
      ) : null}
    </div>
  );
}

type ActionId = "page-history" | "page-move-up" | "page-move-down" | "page-add-after" | "page-delete";

function IconButton({
  testId,
  tabIndex,
  onFocus,
  label,
  title,
  icon,
  danger = false,
  softDisabled,
  disabled,
  pending,
  onClick,
}: {
  testId: ActionId;
  tabIndex: number;
  onFocus: () => void;
  /** The accessible name (the icon alone says nothing to a screen reader). */
  label: string;
  title: string;
  icon: ReactNode;
  danger?: boolean;
  softDisabled?: boolean;
  disabled?: boolean;
  pending?: boolean;
  onClick: () => void;
}) {
  return (
    <Button
      data-testid={testId}
      tabIndex={tabIndex}
      onFocus={onFocus}
      variant={danger ? "ghost-danger" : "ghost"}
      size="icon"
      aria-label={label}
      title={title}
      softDisabled={softDisabled}
      disabled={disabled}
      pending={pending}
      onClick={onClick}
      icon={icon}
    />
  );
}
