import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { PayloadStore, Publisher } from "fanout";
import { registry } from "./jobs.ts";

/** The service's producer side: the topic and bucket come from the stack's outputs. */
const publisher = new Publisher({
  registry,
  sns: new SNSClient({}),
  payloads: new PayloadStore({ s3: new S3Client({}), bucket: process.env.FANOUT_PAYLOAD_BUCKET ?? "" }),
  topicArn: process.env.FANOUT_TOPIC_ARN ?? "",
});

export async function checkout(orderId: string, email: string, imageUrl: string): Promise<void> {
  await publisher.publish("send-receipt", { orderId, email });
  await publisher.publish("resize-image", { url: imageUrl, width: 256 });
}
