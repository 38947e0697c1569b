import type { Locator } from "@playwright/test";

/** A page card's illustration: the chosen image, Illustrate, its progress, the attempts and the editable prompt. */
export class IllustrationPanel {
  readonly root: Locator;
  readonly toggle: Locator;
  readonly illustrate: Locator;
  readonly cancel: Locator;
  readonly status: Locator;
  readonly image: Locator;
  readonly offlineLabel: Locator;
  readonly attempts: Locator;
  readonly choose: Locator;
  readonly scene: Locator;
  readonly prompt: Locator;
  readonly regenerate: Locator;

  constructor(card: Locator) {
    this.root = card.getByTestId("page-illustration");
    this.toggle = this.root.getByTestId("illustration-toggle");
    this.illustrate = this.root.getByTestId("illustrate-button");
    this.cancel = this.root.getByTestId("illustration-cancel");
    this.status = this.root.getByTestId("illustration-status");
    this.image = this.root.getByTestId("page-illustration-image");
    this.offlineLabel = this.root.getByTestId("offline-illustration-label");
    this.attempts = this.root.getByTestId("illustration-attempt");
    this.choose = this.root.getByTestId("illustration-choose");
    this.scene = this.root.getByTestId("illustration-scene");
    this.prompt = this.root.getByTestId("illustration-prompt");
    this.regenerate = this.root.getByTestId("illustration-regenerate");
  }
}
