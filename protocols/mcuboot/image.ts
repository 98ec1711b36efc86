// MCUboot images (mcuboot docs/design.md, "Image format"): parse, verify the hash TLV, build
// unsigned test images, describe. One import; each part lives in its own file.
export * from './image-format.js';
export * from './image-parse.js';
export * from './image-build.js';
export * from './image-describe.js';
