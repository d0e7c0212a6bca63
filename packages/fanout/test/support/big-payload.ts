import AWS from "aws-sdk";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../src/local/endpoint.ts";

/** sns-sqs-big-payload is built on SDK v2; its README has it take pre-configured services, here on the local cloud. */
export function bigPayloadServices(endpoint: string) {
  const config = {
    endpoint,
    region: LOCAL_REGION,
    credentials: new AWS.Credentials(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey),
  };
  return {
    sns: new AWS.SNS(config),
    sqs: new AWS.SQS(config),
    s3: new AWS.S3({ ...config, s3ForcePathStyle: true }),
  };
}
