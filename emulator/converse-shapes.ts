// Derived from the Bedrock Runtime service model (bedrock-runtime 2023-09-30) by
// emulator/scripts/derive-converse-shapes.ts. Do not edit; rerun the script instead.

/** A shape of the service model, reduced to what request validation needs. */
export interface ServiceShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  readonly union?: boolean;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** The shapes reachable from ConverseRequest, ConverseStreamRequest, CountTokensRequest. */
export const converseShapes: Readonly<Record<string, ServiceShape>> = {
  AccountId: {
    type: "string",
  },
  AnyToolChoice: {
    type: "structure",
    members: {},
  },
  AudioBlock: {
    type: "structure",
    members: {
      error: "ErrorBlock",
      format: "AudioFormat",
      source: "AudioSource",
    },
    required: ["format", "source"],
  },
  AudioFormat: {
    type: "string",
    enum: [
      "mp3",
      "opus",
      "wav",
      "aac",
      "flac",
      "mp4",
      "ogg",
      "mkv",
      "mka",
      "x-aac",
      "m4a",
      "mpeg",
      "mpga",
      "pcm",
      "webm",
    ],
  },
  AudioSource: {
    type: "structure",
    members: {
      bytes: "AudioSourceBytesBlob",
      s3Location: "S3Location",
    },
    union: true,
  },
  AudioSourceBytesBlob: {
    type: "blob",
    min: 1,
  },
  AutoToolChoice: {
    type: "structure",
    members: {},
  },
  Blob: {
    type: "blob",
  },
  Body: {
    type: "blob",
    min: 0,
    max: 25000000,
  },
  Boolean: {
    type: "boolean",
  },
  CachePointBlock: {
    type: "structure",
    members: {
      ttl: "CacheTTL",
      type: "CachePointType",
    },
    required: ["type"],
  },
  CachePointType: {
    type: "string",
    enum: ["default"],
  },
  CacheTTL: {
    type: "string",
    enum: ["5m", "1h"],
  },
  Citation: {
    type: "structure",
    members: {
      location: "CitationLocation",
      source: "String",
      sourceContent: "CitationSourceContentList",
      title: "String",
    },
  },
  CitationGeneratedContent: {
    type: "structure",
    members: {
      text: "String",
    },
    union: true,
  },
  CitationGeneratedContentList: {
    type: "list",
    member: "CitationGeneratedContent",
  },
  CitationLocation: {
    type: "structure",
    members: {
      documentChar: "DocumentCharLocation",
      documentChunk: "DocumentChunkLocation",
      documentPage: "DocumentPageLocation",
      searchResultLocation: "SearchResultLocation",
      web: "WebLocation",
    },
    union: true,
  },
  Citations: {
    type: "list",
    member: "Citation",
  },
  CitationsConfig: {
    type: "structure",
    members: {
      enabled: "Boolean",
    },
    required: ["enabled"],
  },
  CitationsContentBlock: {
    type: "structure",
    members: {
      citations: "Citations",
      content: "CitationGeneratedContentList",
    },
  },
  CitationSourceContent: {
    type: "structure",
    members: {
      text: "String",
    },
    union: true,
  },
  CitationSourceContentList: {
    type: "list",
    member: "CitationSourceContent",
  },
  ContentBlock: {
    type: "structure",
    members: {
      audio: "AudioBlock",
      cachePoint: "CachePointBlock",
      citationsContent: "CitationsContentBlock",
      document: "DocumentBlock",
      guardContent: "GuardrailConverseContentBlock",
      image: "ImageBlock",
      reasoningContent: "ReasoningContentBlock",
      searchResult: "SearchResultBlock",
      text: "String",
      toolAddition: "ToolAdditionBlock",
      toolRemoval: "ToolRemovalBlock",
      toolResult: "ToolResultBlock",
      toolUse: "ToolUseBlock",
      video: "VideoBlock",
    },
    union: true,
  },
  ContentBlocks: {
    type: "list",
    member: "ContentBlock",
  },
  ConversationRole: {
    type: "string",
    enum: ["user", "assistant", "system"],
  },
  ConverseRequest: {
    type: "structure",
    members: {
      additionalModelRequestFields: "Document",
      additionalModelResponseFieldPaths: "ConverseRequestAdditionalModelResponseFieldPathsList",
      guardrailConfig: "GuardrailConfiguration",
      inferenceConfig: "InferenceConfiguration",
      messages: "Messages",
      outputConfig: "OutputConfig",
      performanceConfig: "PerformanceConfiguration",
      promptVariables: "PromptVariableMap",
      requestMetadata: "RequestMetadata",
      serviceTier: "ServiceTier",
      system: "SystemContentBlocks",
      toolConfig: "ToolConfiguration",
    },
  },
  ConverseRequestAdditionalModelResponseFieldPathsList: {
    type: "list",
    member: "ConverseRequestAdditionalModelResponseFieldPathsListMemberString",
    min: 0,
    max: 10,
  },
  ConverseRequestAdditionalModelResponseFieldPathsListMemberString: {
    type: "string",
    min: 1,
    max: 256,
  },
  ConverseStreamRequest: {
    type: "structure",
    members: {
      additionalModelRequestFields: "Document",
      additionalModelResponseFieldPaths: "ConverseStreamRequestAdditionalModelResponseFieldPathsList",
      guardrailConfig: "GuardrailStreamConfiguration",
      inferenceConfig: "InferenceConfiguration",
      messages: "Messages",
      outputConfig: "OutputConfig",
      performanceConfig: "PerformanceConfiguration",
      promptVariables: "PromptVariableMap",
      requestMetadata: "RequestMetadata",
      serviceTier: "ServiceTier",
      system: "SystemContentBlocks",
      toolConfig: "ToolConfiguration",
    },
  },
  ConverseStreamRequestAdditionalModelResponseFieldPathsList: {
    type: "list",
    member: "ConverseStreamRequestAdditionalModelResponseFieldPathsListMemberString",
    min: 0,
    max: 10,
  },
  ConverseStreamRequestAdditionalModelResponseFieldPathsListMemberString: {
    type: "string",
    min: 1,
    max: 256,
  },
  ConverseTokensRequest: {
    type: "structure",
    members: {
      additionalModelRequestFields: "Document",
      messages: "Messages",
      system: "SystemContentBlocks",
      toolConfig: "ToolConfiguration",
    },
  },
  CountTokensInput: {
    type: "structure",
    members: {
      converse: "ConverseTokensRequest",
      invokeModel: "InvokeModelTokensRequest",
    },
    union: true,
  },
  CountTokensRequest: {
    type: "structure",
    members: {
      input: "CountTokensInput",
    },
    required: ["input"],
  },
  Document: {
    type: "document",
  },
  DocumentBlock: {
    type: "structure",
    members: {
      citations: "CitationsConfig",
      context: "String",
      format: "DocumentFormat",
      name: "DocumentBlockNameString",
      source: "DocumentSource",
    },
    required: ["name", "source"],
  },
  DocumentBlockNameString: {
    type: "string",
    min: 1,
    max: 200,
  },
  DocumentCharLocation: {
    type: "structure",
    members: {
      documentIndex: "DocumentCharLocationDocumentIndexInteger",
      end: "DocumentCharLocationEndInteger",
      start: "DocumentCharLocationStartInteger",
    },
  },
  DocumentCharLocationDocumentIndexInteger: {
    type: "integer",
    min: 0,
  },
  DocumentCharLocationEndInteger: {
    type: "integer",
    min: 0,
  },
  DocumentCharLocationStartInteger: {
    type: "integer",
    min: 0,
  },
  DocumentChunkLocation: {
    type: "structure",
    members: {
      documentIndex: "DocumentChunkLocationDocumentIndexInteger",
      end: "DocumentChunkLocationEndInteger",
      start: "DocumentChunkLocationStartInteger",
    },
  },
  DocumentChunkLocationDocumentIndexInteger: {
    type: "integer",
    min: 0,
  },
  DocumentChunkLocationEndInteger: {
    type: "integer",
    min: 0,
  },
  DocumentChunkLocationStartInteger: {
    type: "integer",
    min: 0,
  },
  DocumentContentBlock: {
    type: "structure",
    members: {
      text: "String",
    },
    union: true,
  },
  DocumentContentBlocks: {
    type: "list",
    member: "DocumentContentBlock",
  },
  DocumentFormat: {
    type: "string",
    enum: ["pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md"],
  },
  DocumentPageLocation: {
    type: "structure",
    members: {
      documentIndex: "DocumentPageLocationDocumentIndexInteger",
      end: "DocumentPageLocationEndInteger",
      start: "DocumentPageLocationStartInteger",
    },
  },
  DocumentPageLocationDocumentIndexInteger: {
    type: "integer",
    min: 0,
  },
  DocumentPageLocationEndInteger: {
    type: "integer",
    min: 0,
  },
  DocumentPageLocationStartInteger: {
    type: "integer",
    min: 0,
  },
  DocumentSource: {
    type: "structure",
    members: {
      bytes: "DocumentSourceBytesBlob",
      content: "DocumentContentBlocks",
      s3Location: "S3Location",
      text: "String",
    },
    union: true,
  },
  DocumentSourceBytesBlob: {
    type: "blob",
    min: 1,
  },
  ErrorBlock: {
    type: "structure",
    members: {
      message: "String",
    },
  },
  GuardrailConfiguration: {
    type: "structure",
    members: {
      guardrailIdentifier: "GuardrailIdentifier",
      guardrailVersion: "GuardrailVersion",
      trace: "GuardrailTrace",
    },
  },
  GuardrailConverseContentBlock: {
    type: "structure",
    members: {
      image: "GuardrailConverseImageBlock",
      text: "GuardrailConverseTextBlock",
    },
    union: true,
  },
  GuardrailConverseContentQualifier: {
    type: "string",
    enum: ["grounding_source", "query", "guard_content"],
  },
  GuardrailConverseContentQualifierList: {
    type: "list",
    member: "GuardrailConverseContentQualifier",
  },
  GuardrailConverseImageBlock: {
    type: "structure",
    members: {
      format: "GuardrailConverseImageFormat",
      source: "GuardrailConverseImageSource",
    },
    required: ["format", "source"],
  },
  GuardrailConverseImageFormat: {
    type: "string",
    enum: ["png", "jpeg"],
  },
  GuardrailConverseImageSource: {
    type: "structure",
    members: {
      bytes: "GuardrailConverseImageSourceBytesBlob",
    },
    union: true,
  },
  GuardrailConverseImageSourceBytesBlob: {
    type: "blob",
    min: 1,
  },
  GuardrailConverseTextBlock: {
    type: "structure",
    members: {
      qualifiers: "GuardrailConverseContentQualifierList",
      text: "String",
    },
    required: ["text"],
  },
  GuardrailIdentifier: {
    type: "string",
    min: 0,
    max: 2048,
  },
  GuardrailStreamConfiguration: {
    type: "structure",
    members: {
      guardrailIdentifier: "GuardrailIdentifier",
      guardrailVersion: "GuardrailVersion",
      streamProcessingMode: "GuardrailStreamProcessingMode",
      trace: "GuardrailTrace",
    },
  },
  GuardrailStreamProcessingMode: {
    type: "string",
    enum: ["sync", "async"],
  },
  GuardrailTrace: {
    type: "string",
    enum: ["enabled", "disabled", "enabled_full"],
  },
  GuardrailVersion: {
    type: "string",
  },
  ImageBlock: {
    type: "structure",
    members: {
      error: "ErrorBlock",
      format: "ImageFormat",
      source: "ImageSource",
    },
    required: ["format", "source"],
  },
  ImageFormat: {
    type: "string",
    enum: ["png", "jpeg", "gif", "webp"],
  },
  ImageSource: {
    type: "structure",
    members: {
      bytes: "ImageSourceBytesBlob",
      s3Location: "S3Location",
    },
    union: true,
  },
  ImageSourceBytesBlob: {
    type: "blob",
    min: 1,
  },
  InferenceConfiguration: {
    type: "structure",
    members: {
      maxTokens: "InferenceConfigurationMaxTokensInteger",
      stopSequences: "InferenceConfigurationStopSequencesList",
      temperature: "InferenceConfigurationTemperatureFloat",
      topP: "InferenceConfigurationTopPFloat",
    },
  },
  InferenceConfigurationMaxTokensInteger: {
    type: "integer",
    min: 1,
  },
  InferenceConfigurationStopSequencesList: {
    type: "list",
    member: "NonEmptyString",
    min: 0,
    max: 2500,
  },
  InferenceConfigurationTemperatureFloat: {
    type: "float",
    min: 0,
    max: 1,
  },
  InferenceConfigurationTopPFloat: {
    type: "float",
    min: 0,
    max: 1,
  },
  InvokeModelTokensRequest: {
    type: "structure",
    members: {
      body: "Body",
    },
    required: ["body"],
  },
  JsonSchemaDefinition: {
    type: "structure",
    members: {
      description: "String",
      name: "String",
      schema: "String",
    },
    required: ["schema"],
  },
  Message: {
    type: "structure",
    members: {
      content: "ContentBlocks",
      role: "ConversationRole",
    },
    required: ["role", "content"],
  },
  Messages: {
    type: "list",
    member: "Message",
  },
  NonEmptyString: {
    type: "string",
    min: 1,
  },
  OutputConfig: {
    type: "structure",
    members: {
      effort: "OutputConfigEffortString",
      textFormat: "OutputFormat",
    },
  },
  OutputConfigEffortString: {
    type: "string",
    min: 0,
    max: 16,
  },
  OutputFormat: {
    type: "structure",
    members: {
      structure: "OutputFormatStructure",
      type: "OutputFormatType",
    },
    required: ["type", "structure"],
  },
  OutputFormatStructure: {
    type: "structure",
    members: {
      jsonSchema: "JsonSchemaDefinition",
    },
    union: true,
  },
  OutputFormatType: {
    type: "string",
    enum: ["json_schema"],
  },
  PerformanceConfigLatency: {
    type: "string",
    enum: ["standard", "optimized"],
  },
  PerformanceConfiguration: {
    type: "structure",
    members: {
      latency: "PerformanceConfigLatency",
    },
  },
  PromptVariableMap: {
    type: "map",
    key: "String",
    value: "PromptVariableValues",
  },
  PromptVariableValues: {
    type: "structure",
    members: {
      text: "String",
    },
    union: true,
  },
  ReasoningContentBlock: {
    type: "structure",
    members: {
      reasoningText: "ReasoningTextBlock",
      redactedContent: "Blob",
    },
    union: true,
  },
  ReasoningTextBlock: {
    type: "structure",
    members: {
      signature: "String",
      text: "String",
    },
    required: ["text"],
  },
  RequestMetadata: {
    type: "map",
    key: "RequestMetadataKeyString",
    value: "RequestMetadataValueString",
    min: 1,
    max: 16,
  },
  RequestMetadataKeyString: {
    type: "string",
    min: 1,
    max: 256,
  },
  RequestMetadataValueString: {
    type: "string",
    min: 0,
    max: 256,
  },
  S3Location: {
    type: "structure",
    members: {
      bucketOwner: "AccountId",
      uri: "S3Uri",
    },
    required: ["uri"],
  },
  S3Uri: {
    type: "string",
    min: 1,
    max: 1024,
  },
  SearchResultBlock: {
    type: "structure",
    members: {
      citations: "CitationsConfig",
      content: "SearchResultContentBlocks",
      source: "String",
      title: "String",
    },
    required: ["source", "title", "content"],
  },
  SearchResultContentBlock: {
    type: "structure",
    members: {
      text: "String",
    },
    required: ["text"],
  },
  SearchResultContentBlocks: {
    type: "list",
    member: "SearchResultContentBlock",
  },
  SearchResultLocation: {
    type: "structure",
    members: {
      end: "SearchResultLocationEndInteger",
      searchResultIndex: "SearchResultLocationSearchResultIndexInteger",
      start: "SearchResultLocationStartInteger",
    },
  },
  SearchResultLocationEndInteger: {
    type: "integer",
    min: 0,
  },
  SearchResultLocationSearchResultIndexInteger: {
    type: "integer",
    min: 0,
  },
  SearchResultLocationStartInteger: {
    type: "integer",
    min: 0,
  },
  ServiceTier: {
    type: "structure",
    members: {
      type: "ServiceTierType",
    },
    required: ["type"],
  },
  ServiceTierType: {
    type: "string",
    enum: ["priority", "default", "flex", "reserved"],
  },
  SpecificToolChoice: {
    type: "structure",
    members: {
      name: "ToolName",
    },
    required: ["name"],
  },
  String: {
    type: "string",
  },
  SystemContentBlock: {
    type: "structure",
    members: {
      cachePoint: "CachePointBlock",
      guardContent: "GuardrailConverseContentBlock",
      text: "NonEmptyString",
    },
    union: true,
  },
  SystemContentBlocks: {
    type: "list",
    member: "SystemContentBlock",
  },
  SystemTool: {
    type: "structure",
    members: {
      name: "ToolName",
    },
    required: ["name"],
  },
  Tool: {
    type: "structure",
    members: {
      cachePoint: "CachePointBlock",
      systemTool: "SystemTool",
      toolSpec: "ToolSpecification",
    },
    union: true,
  },
  ToolAdditionBlock: {
    type: "structure",
    members: {
      tool: "ToolReference",
    },
    required: ["tool"],
  },
  ToolChoice: {
    type: "structure",
    members: {
      any: "AnyToolChoice",
      auto: "AutoToolChoice",
      tool: "SpecificToolChoice",
    },
    union: true,
  },
  ToolConfiguration: {
    type: "structure",
    members: {
      toolChoice: "ToolChoice",
      tools: "ToolConfigurationToolsList",
    },
    required: ["tools"],
  },
  ToolConfigurationToolsList: {
    type: "list",
    member: "Tool",
    min: 1,
  },
  ToolInputSchema: {
    type: "structure",
    members: {
      json: "Document",
    },
    union: true,
  },
  ToolName: {
    type: "string",
    min: 1,
    max: 64,
  },
  ToolReference: {
    type: "structure",
    members: {
      name: "ToolReferenceNameString",
      serverName: "ToolReferenceServerNameString",
      type: "ToolReferenceTypeString",
    },
  },
  ToolReferenceNameString: {
    type: "string",
    min: 1,
    max: 128,
  },
  ToolReferenceServerNameString: {
    type: "string",
    min: 1,
    max: 128,
  },
  ToolReferenceTypeString: {
    type: "string",
    min: 1,
    max: 64,
  },
  ToolRemovalBlock: {
    type: "structure",
    members: {
      tool: "ToolReference",
    },
    required: ["tool"],
  },
  ToolResultBlock: {
    type: "structure",
    members: {
      content: "ToolResultContentBlocks",
      status: "ToolResultStatus",
      toolUseId: "ToolUseId",
      type: "String",
    },
    required: ["toolUseId", "content"],
  },
  ToolResultContentBlock: {
    type: "structure",
    members: {
      document: "DocumentBlock",
      image: "ImageBlock",
      json: "Document",
      searchResult: "SearchResultBlock",
      text: "String",
      video: "VideoBlock",
    },
    union: true,
  },
  ToolResultContentBlocks: {
    type: "list",
    member: "ToolResultContentBlock",
  },
  ToolResultStatus: {
    type: "string",
    enum: ["success", "error"],
  },
  ToolSpecification: {
    type: "structure",
    members: {
      description: "NonEmptyString",
      inputSchema: "ToolInputSchema",
      name: "ToolName",
      strict: "Boolean",
    },
    required: ["name", "inputSchema"],
  },
  ToolUseBlock: {
    type: "structure",
    members: {
      input: "Document",
      name: "ToolName",
      toolUseId: "ToolUseId",
      type: "ToolUseType",
    },
    required: ["toolUseId", "name", "input"],
  },
  ToolUseId: {
    type: "string",
    min: 1,
    max: 64,
  },
  ToolUseType: {
    type: "string",
    enum: ["server_tool_use"],
  },
  VideoBlock: {
    type: "structure",
    members: {
      format: "VideoFormat",
      source: "VideoSource",
    },
    required: ["format", "source"],
  },
  VideoFormat: {
    type: "string",
    enum: ["mkv", "mov", "mp4", "webm", "flv", "mpeg", "mpg", "wmv", "three_gp"],
  },
  VideoSource: {
    type: "structure",
    members: {
      bytes: "VideoSourceBytesBlob",
      s3Location: "S3Location",
    },
    union: true,
  },
  VideoSourceBytesBlob: {
    type: "blob",
    min: 1,
  },
  WebLocation: {
    type: "structure",
    members: {
      domain: "String",
      url: "String",
    },
  },
};
