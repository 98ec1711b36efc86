// Block-wise transfers: RFC 7959 Block1/Block2 (client and server helpers) and RFC 9177
// Q-Block1 (client with fallback, server receiver).
export { CoapBlockError } from './block-error.js';
export { type BlockProgress, type BlockStats, type ProgressFn } from './block-progress.js';
export { Block2Assembler, type Block2Step } from './block2-assembler.js';
export { block2Get, continueBlock2, type Block2Options, type Block2Result, type BlockRequestSpec } from './block2-client.js';
export { block1Put, type Block1Options, type Block1Result } from './block1-client.js';
export { serveBlock2, type ServeBlock2Options } from './serve-block2.js';
export { Block1Receiver, type Block1ReceiverOptions, type Block1Outcome } from './block1-receiver.js';
export { AnswerCache } from './answer-cache.js';
export { MISSING_BLOCKS_CBOR_SEQ, encodeMissingBlocks, decodeMissingBlocks, checkMissingBlocks } from './missing-blocks-cbor.js';
export { qblockParams, type QBlockParams } from './qblock-params.js';
export { QBlock1Sender } from './qblock1-sender.js';
export { qblock1Put, type QBlock1Options, type QBlock1Result, type QBlockStats } from './qblock1-client.js';
export { QBlock1Receiver, type QBlock1ReceiverOptions } from './qblock1-receiver.js';
