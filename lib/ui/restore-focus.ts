/**
 * Gives focus back to an element on the next frame (after React has rendered it again), unless the user has already
 * moved focus somewhere else in the meantime: restoring it late would steal focus from where they went, and a key they
 * press next would act on the wrong control.
 */
export function restoreFocusNextFrame(target: () => HTMLElement | null | undefined): void {
  requestAnimationFrame(() => {
    const active = document.activeElement;
    if (active && active !== document.body) return;
    target()?.focus();
  });
}
