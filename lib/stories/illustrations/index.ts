export {
  cancelIllustration,
  chooseIllustration,
  chosenIllustrations,
  getIllustrationJob,
  listPageIllustrations,
  readIllustrationImage,
  requestIllustration,
  type IllustrateOutcome,
  type IllustrationImage,
  type PageIllustrations,
} from "./request";
export { illustrateAfterText, type IllustrateAfterTextOutcome } from "./after-text";
export type { IllustrationJobView, IllustrationPhase, IllustrationView } from "./view";
