/**
 * The AWS SDK classes the call path constructs, loaded with `require` rather than an ES `import`.
 *
 * The SDK packages are CommonJS. An ES import of one makes Node parse its source, and every module it
 * re-exports, for export names before it can link the importer (cjs-module-lexer): about 55 ms of a first
 * call for `@aws-sdk/client-bedrock-runtime` alone, and 15–25 ms more for the `@smithy/*` packages, all of
 * them files the client package has already required. `require` takes them from the require cache as they
 * are (see BENCHMARKS.md, cold start). The runtime's modules take these values from here; types still
 * come from the packages themselves (`import type` loads nothing).
 */

import { createRequire } from "node:module";
import type * as BedrockRuntime from "@aws-sdk/client-bedrock-runtime";
import type * as NodeHttp from "@smithy/node-http-handler";
import type * as ProtocolHttp from "@smithy/protocol-http";
import type * as Signing from "@smithy/signature-v4";

const requirePackage = createRequire(import.meta.url);
const bedrockRuntime = requirePackage("@aws-sdk/client-bedrock-runtime") as typeof BedrockRuntime;
const nodeHttp = requirePackage("@smithy/node-http-handler") as typeof NodeHttp;
const protocolHttp = requirePackage("@smithy/protocol-http") as typeof ProtocolHttp;
const signing = requirePackage("@smithy/signature-v4") as typeof Signing;

export const BedrockRuntimeClient = bedrockRuntime.BedrockRuntimeClient;
export type BedrockRuntimeClient = BedrockRuntime.BedrockRuntimeClient;
export const ConverseCommand = bedrockRuntime.ConverseCommand;
export type ConverseCommand = BedrockRuntime.ConverseCommand;
export const ConverseStreamCommand = bedrockRuntime.ConverseStreamCommand;
export type ConverseStreamCommand = BedrockRuntime.ConverseStreamCommand;
export const CountTokensCommand = bedrockRuntime.CountTokensCommand;
export type CountTokensCommand = BedrockRuntime.CountTokensCommand;
export const InvokeModelCommand = bedrockRuntime.InvokeModelCommand;
export type InvokeModelCommand = BedrockRuntime.InvokeModelCommand;
export const InvokeModelWithResponseStreamCommand = bedrockRuntime.InvokeModelWithResponseStreamCommand;
export type InvokeModelWithResponseStreamCommand = BedrockRuntime.InvokeModelWithResponseStreamCommand;
/** The operations' static schemas, which the lean call path serializes with (runtime/lean-send.ts). */
export const Converse$ = bedrockRuntime.Converse$;
export const ConverseStream$ = bedrockRuntime.ConverseStream$;
export const InvokeModel$ = bedrockRuntime.InvokeModel$;
export const InvokeModelWithResponseStream$ = bedrockRuntime.InvokeModelWithResponseStream$;

export const NodeHttpHandler = nodeHttp.NodeHttpHandler;
export type NodeHttpHandler = NodeHttp.NodeHttpHandler;
export const HttpRequest = protocolHttp.HttpRequest;
export type HttpRequest = ProtocolHttp.HttpRequest;
export const SignatureV4 = signing.SignatureV4;
export type SignatureV4 = Signing.SignatureV4;
