/**
 * A model that names a Region (an ARN's, or the Region segment of an imported-model route) is called in
 * that Region, endpoint and signature, as LiteLLM does: `BaseAWSLLM._get_aws_region_from_model_arn` reads
 * the fourth field of a `model_id` or model ARN (BerriAI/litellm litellm/llms/bedrock/base_aws_llm.py;
 * tests/llm_translation/test_bedrock_completion.py test_bedrock_application_inference_profile expects an
 * eu-central-1 profile ARN to be called in eu-central-1). ARN layout: arn:partition:bedrock:region:account:resource
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html#amazonbedrock-resources-for-iam-policies).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.js";
import { type Bedrock, createBedrock, uncheckedModel } from "../../runtime/index.js";
import { isRegionName, readArnRegion, regionNamedByModel } from "../../runtime/model-region.js";
import { credentials } from "./live.js";

const profileArn = "arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0";
const provisionedArn = "arn:aws:bedrock:us-west-2:888602223428:provisioned-model/8fxff74qyhs3";

describe("the Region a model reference names", () => {
  it.each([
    [{ model: "anthropic.claude-3-haiku-20240307-v1:0" }, undefined],
    [{ model: "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0" }, undefined],
    [{ model: profileArn }, "eu-central-1"],
    [{ model: `bedrock/converse/${profileArn}` }, "eu-central-1"],
    [{ model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", model_id: provisionedArn }, "us-west-2"],
    // model_id is read first, as LiteLLM does.
    [{ model: `bedrock/converse/${profileArn}`, model_id: provisionedArn }, "us-west-2"],
    [{ model: "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:provisioned-model/x" }, "us-gov-west-1"],
    [{ model: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0" }, "us-east-1"],
    [{ model: "bedrock/openai/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc" }, "us-east-1"],
    // The Region segment of an imported-model route wins over the ARN's.
    [
      { model: "bedrock/openai/ap-southeast-2/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc" },
      "ap-southeast-2",
    ],
    [{ model: "bedrock/custom-model/abc" }, undefined],
    [{ model: "arn:aws:bedrock::123456789012:custom-model/x" }, undefined],
  ])("%j → %s", (input, region) => {
    expect(regionNamedByModel(input.model, (input as { model_id?: string }).model_id)).toBe(region);
  });

  it("reads back any Region written into an ARN, whatever the resource", () => {
    const region = fc
      .tuple(
        fc.constantFrom("us", "eu", "ap", "ca", "sa", "me", "il", "mx", "us-gov"),
        fc.constantFrom("east", "west", "central", "north", "south", "southeast", "northeast"),
        fc.integer({ min: 1, max: 9 }),
      )
      .map(([area, direction, number]) => `${area}-${direction}-${number}`);
    fc.assert(
      fc.property(
        region,
        fc.constantFrom("aws", "aws-us-gov", "aws-cn"),
        fc.constantFrom("provisioned-model", "imported-model", "application-inference-profile"),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        (name, partition, resource, id) => {
          expect(isRegionName(name)).toBe(true);
          const arn = `arn:${partition}:bedrock:${name}:123456789012:${resource}/${id}`;
          expect(readArnRegion(arn)).toBe(name);
          expect(regionNamedByModel(`bedrock/converse/${arn}`, undefined)).toBe(name);
        },
      ),
    );
  });
});

describe("calls in the model's Region (SDK → emulator)", () => {
  let emulator: Emulator;
  let bedrock: Bedrock;
  const messages = [{ role: "user" as const, content: "Hello Regions" }];
  const signedRegion = () =>
    /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/bedrock\//.exec(
      emulator.requests.at(-1)!.headers.authorization!,
    )?.[1];

  beforeAll(async () => {
    emulator = await startEmulator({
      mode: "synthesize",
      models: { [profileArn]: "anthropic.claude-3-5-sonnet-20240620-v1:0" },
    });
    bedrock = createBedrock({ region: "us-east-1", endpoint: emulator.url, credentials, num_retries: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("signs a call to an ARN of another Region for that Region", async () => {
    await bedrock.chat.completions.create({
      model: uncheckedModel(`bedrock/converse/${profileArn}`),
      messages,
    });
    expect(emulator.requests.at(-1)!.modelId).toBe(profileArn);
    expect(signedRegion()).toBe("eu-central-1");
  });

  it("signs a model_id ARN's call for the ARN's Region", async () => {
    await bedrock.chat.completions.create({
      model: "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
      model_id: profileArn,
      messages,
    });
    expect(signedRegion()).toBe("eu-central-1");
  });

  it("keeps the client's Region for ids that name none", async () => {
    await bedrock.chat.completions.create({ model: "anthropic.claude-3-5-sonnet-20240620-v1:0", messages });
    expect(signedRegion()).toBe("us-east-1");
  });

  it("lets a Region given in the request win, as LiteLLM's aws_region_name does", async () => {
    await bedrock.chat.completions.create({
      model: uncheckedModel(`bedrock/converse/${profileArn}`),
      messages,
      aws_region_name: "us-west-2",
    });
    expect(signedRegion()).toBe("us-west-2");
  });
});
