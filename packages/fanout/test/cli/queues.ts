import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface Depth {
  readonly visible: number;
  readonly inFlight: number;
}

export async function depth(sqs: SQSClient, queueUrl: string): Promise<Depth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** The job id inside a raw-delivered, inline message body. */
export function jobIdOf(body: string | undefined): string {
  return (JSON.parse(body ?? "{}") as { id?: string }).id ?? "";
}
