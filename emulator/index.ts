/**
 * bedrock-forge/emulator: a local Amazon Bedrock Runtime for tests, demos and benchmarks, and a recorder
 * that captures real exchanges as fixtures.
 */

export type { EmulatorCredentials } from "./auth.js";
export { exampleCredentials } from "./auth.js";
export type {
  ControlPlaneData,
  ControlPlaneOptions,
  FoundationModelSummaryWire,
  InferenceProfileSummaryWire,
  RegionListing,
} from "./control-plane.js";
export { deriveControlPlaneData, readControlPlaneFile } from "./control-plane.js";
export { EmulatorError, errorMessages, errorShapes } from "./errors.js";
export type { DecodedStreamEvent } from "./eventstream.js";
export {
  corruptMessageCrc,
  decodeFrame,
  encodeChunkFrame,
  encodeEventFrame,
  encodeExceptionFrame,
  splitFrames,
  toStreamEvent,
} from "./eventstream.js";
export { controlHeaders } from "./exchange.js";
export type { Fault } from "./faults.js";
export { parseFault } from "./faults.js";
export type { Fixture, FixtureOperation, LoadedFixture } from "./fixtures.js";
export { FixtureIndex, isSubset, jsonEqual, loadFixtureDir, operationOf } from "./fixtures.js";
export type { RecordedExchange, Recorder, RecorderCredentials, RecorderOptions } from "./recorder.js";
export { scrubAccountIds, startRecorder } from "./recorder.js";
export { startEmulator } from "./server.js";
export type { Emulator, EmulatorMode, EmulatorOptions, EmulatorRequest } from "./types.js";
