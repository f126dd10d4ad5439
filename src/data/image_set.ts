// The one image-set type of the library: uint8 images channels last with their labels and where they
// came from, as every loader (IDX, CIFAR-10, image folders, the embedded digits) returns them.

/** Images as uint8 (count x height x width x channels, channels last), labels as uint8, and where they came from. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** Channels per pixel (1 grey, 3 RGB); default 1. */
  channels?: number;
  /** Class names by label (an image folder's class folders, a metadata.json's labels), for reports. */
  classNames?: string[];
  /** A path, a URL or `embedded`, for the report. */
  source: string;
  /** Where the labels came from (the labels file of an IDX pair), for errors; default `source`. */
  labelSource?: string;
}
