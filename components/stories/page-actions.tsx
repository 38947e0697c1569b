"use client";

import { ArrowDown, ArrowUp, History, ListPlus, Trash2 } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
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
  return (
    // biome-ignore lint/a11y/useSemanticElements: a row of icon buttons, not a form section; a <fieldset> brings form semantics and its own rendering (min-inline-size, legend layout)
    <div role="group" aria-label={`Page ${pageNumber} actions`} className="flex items-center gap-0.5">
      <IconButton
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
            testId="page-move-up"
            label={`Move page ${pageNumber} up`}
            title="Move up"
            softDisabled
            disabled={isFirst}
            onClick={() => onMove("up")}
            icon={<ArrowUp aria-hidden="true" className="size-4" />}
          />
          <IconButton
            testId="page-move-down"
            label={`Move page ${pageNumber} down`}
            title="Move down"
            softDisabled
            disabled={isLast}
            onClick={() => onMove("down")}
            icon={<ArrowDown aria-hidden="true" className="size-4" />}
          />
          <IconButton
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

function IconButton({
  testId,
  label,
  title,
  icon,
  danger = false,
  softDisabled,
  disabled,
  pending,
  onClick,
}: {
  testId: string;
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
