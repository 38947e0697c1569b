"use client";

import { X } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { createPresetAction, deletePresetAction, listPresetsAction } from "@/app/actions/presets";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { PresetView } from "@/lib/stories";

/**
 * Instruction presets beside Generate: one click puts the preset's instruction in the instruction field (the author
 * sees what will be asked, and can still change it). Built-in presets for everyone, then the author's own, which they
 * can save from the current instruction and delete.
 */
export function InstructionPresets({
  instruction,
  onChoose,
  disabled,
}: {
  instruction: string;
  onChoose: (instruction: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  const [presets, setPresets] = useState<PresetView[] | null>(null);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    void listPresetsAction().then((result) => {
      if (live && result.ok) setPresets(result.data);
    });
    return () => {
      live = false;
    };
  }, []);

  async function save() {
    setSaving(true);
    setError(null);
    const result = await createPresetAction({ label: name, instruction });
    setSaving(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setPresets((list) => [...(list ?? []), result.data]);
    setNaming(false);
    setName("");
  }

  async function remove(preset: PresetView) {
    setError(null);
    const result = await deletePresetAction({ id: preset.id });
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setPresets((list) => (list ?? []).filter((p) => p.id !== preset.id));
  }

  if (!presets) return null;
  return (
    <div className="space-y-1.5" data-testid="instruction-presets">
      <ul aria-label="Instruction presets" className="flex flex-wrap items-center gap-1.5">
        {presets.map((preset) => (
          <li key={preset.id} className="flex items-center">
            <button
              type="button"
              data-testid={`preset-${preset.builtin ? preset.id.replace("builtin:", "") : preset.label}`}
              disabled={disabled}
              title={preset.instruction}
              onClick={() => onChoose(preset.instruction)}
              className="rounded-full border border-violet-200 bg-white px-2.5 py-0.5 text-xs font-medium text-violet-900 outline-none hover:border-violet-400 focus-visible:ring-2 focus-visible:ring-emerald-600 disabled:cursor-not-allowed disabled:text-stone-500"
            >
              {preset.label}
            </button>
            {preset.builtin ? null : (
              <button
                type="button"
                data-testid={`preset-delete-${preset.label}`}
                aria-label={`Delete preset ${preset.label}`}
                onClick={() => void remove(preset)}
                className="ml-0.5 rounded-full p-0.5 text-stone-500 outline-none hover:text-red-700 focus-visible:ring-2 focus-visible:ring-emerald-600"
              >
                <X aria-hidden="true" className="size-3" />
              </button>
            )}
          </li>
        ))}
        <li>
          {naming ? null : (
            <button
              type="button"
              data-testid="preset-save-open"
              disabled={instruction.trim() === ""}
              title={instruction.trim() === "" ? "Type an instruction first" : undefined}
              onClick={() => setNaming(true)}
              className="rounded-full px-2 py-0.5 text-xs text-stone-700 underline outline-none hover:text-stone-900 focus-visible:ring-2 focus-visible:ring-emerald-600 disabled:cursor-not-allowed disabled:no-underline disabled:text-stone-500"
            >
              Save instruction as preset
            </button>
          )}
        </li>
      </ul>
      {naming ? (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label htmlFor={`${id}-name`} className="text-xs font-medium text-stone-800">
            Preset name
          </label>
          <Input
            id={`${id}-name`}
            data-testid="preset-name"
            value={name}
            maxLength={40}
            onChange={(e) => setName(e.target.value)}
            className="h-8 w-48 text-sm"
            autoFocus
          />
          <Button type="submit" size="sm" data-testid="preset-save" pending={saving} disabled={name.trim() === ""}>
            Save preset
          </Button>
          <Button type="button" size="sm" variant="ghost" onClick={() => setNaming(false)}>
            Cancel
          </Button>
        </form>
      ) : null}
      {error ? (
        <p role="alert" data-testid="preset-error" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
