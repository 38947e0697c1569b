// Images for the domain's illustrations: the image model, the checks of an answer, the stores of the bytes.
export {
  aiSdkImageGenerator,
  aiSdkSceneDescriber,
  OFFLINE_IMAGE_MODEL_ID,
  resolveImageModel,
  type ImageAnswer,
  type ImageGenerator,
  type ImageModelChoice,
  type ImageRequest,
  type SceneAnswer,
  type SceneDescriber,
  type SceneRequest,
} from "./image-model";
export { checkImage, defaultImageRetry, generateCheckedImage, type GeneratedImage, type RetryPolicy } from "./generate";
export { imageLimits } from "./limits";
export {
  drawOfflineIllustration,
  OFFLINE_LABEL,
  offlineIllustrationSvg,
  type DrawingHints,
} from "./offline-illustrator";
export { describeSceneOffline } from "./offline-scene";
export { sniffImage, type SniffedImage } from "./sniff";
export {
  databaseImageStore,
  imageStoreForWrites,
  imageStoreOfKind,
  s3ImageStore,
  s3SettingsFromEnv,
  type ImageStore,
  type S3Settings,
  type StoredImageBytes,
} from "./storage";
