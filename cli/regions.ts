import { UsageError } from "./command.js";
import { suggestCorrection } from "./suggest.js";

/**
 * Every AWS region name, from the AWS SDK for JavaScript's partition data (`@aws-sdk/core`'s
 * util-endpoints `partitions.js`, generated from AWS's endpoints model; partitions aws, aws-cn,
 * aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov), without the `*-global` pseudo-regions.
 * test/cli/regions.test.ts compares it with the installed SDK's list, so a region AWS adds shows up as
 * a failing test, not as a wrong "did you mean".
 */
export const awsRegions: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eu-central-1",
  "eu-central-2",
  "eu-isoe-west-1",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eusc-de-east-1",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "me-west-1",
  "mx-central-1",
  "sa-east-1",
  "sa-west-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-iso-east-1",
  "us-iso-west-1",
  "us-isob-east-1",
  "us-isob-west-1",
  "us-isof-east-1",
  "us-isof-south-1",
  "us-west-1",
  "us-west-2",
];

/** Each partition's pattern for its region names (same source): a name none matches is malformed. */
const regionPatterns: readonly RegExp[] = [
  /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  /^cn-\w+-\d+$/,
  /^eusc-(de)-\w+-\d+$/,
  /^us-iso-\w+-\d+$/,
  /^us-isob-\w+-\d+$/,
  /^eu-isoe-\w+-\d+$/,
  /^us-isof-\w+-\d+$/,
  /^us-gov-\w+-\d+$/,
];

/** ` (did you mean us-east-1?)` for a near-miss of a known region, else "". */
function didYouMean(region: string): string {
  const suggestion = suggestCorrection(region, awsRegions);
  return suggestion ? ` (did you mean ${suggestion}?)` : "";
}

/**
 * Refuses a `--region` no AWS partition could name (`us-east1`), before any call. A well-formed name
 * missing from `awsRegions` passes: it may be a region newer than this list.
 */
export function checkRegionOption(region: string | undefined, option = "--region"): void {
  if (region === undefined || regionPatterns.some((pattern) => pattern.test(region))) return;
  throw new UsageError(`${option} "${region}" is not an AWS region name${didYouMean(region)}`);
}

/**
 * What to add to a failure whose message names a region AWS does not have (the host
 * `bedrock-runtime.us-east1.amazonaws.com` that did not resolve, or the SDK's `region="…"`), else
 * undefined. The region may have come from a flag, the environment or a profile, so all are named.
 */
export function explainUnknownRegion(message: string): string | undefined {
  const named =
    /bedrock-runtime(?:-fips)?\.([^.\s/]+)\.amazonaws\.com/.exec(message)?.[1] ??
    /region="([^"]*)"/.exec(message)?.[1];
  if (named === undefined || awsRegions.includes(named)) return undefined;
  return `"${named}" is not an AWS region${didYouMean(named)}. Check --region, AWS_REGION, AWS_DEFAULT_REGION and your profile's region.`;
}
