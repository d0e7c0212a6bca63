/**
 * AWS list prices used by figure 6, us-east-1, as published on the pricing pages of SNS, SQS and S3
 * (aws.amazon.com/sns/pricing, /sqs/pricing, /s3/pricing), read November 2026. Free tiers are ignored.
 */
export const PRICES_USD = {
  /** Standard topic: per million publish requests; each 64 KB chunk of a request's payload is one request. */
  snsPublishPerMillion: 0.5,
  /** SNS deliveries to SQS queues are free of SNS charges. */
  snsToSqsDeliveryPerMillion: 0,
  /** Standard queue, beyond the free tier: per million requests; each 64 KB chunk is one request. */
  sqsRequestPerMillion: 0.4,
  /** S3 Standard PUT, COPY, POST, LIST requests: $0.005 per 1,000. */
  s3PutPerThousand: 0.005,
  /** S3 Standard GET and other requests: $0.0004 per 1,000. */
  s3GetPerThousand: 0.0004,
} as const;

export const PRICE_SOURCE = "AWS list prices, us-east-1, read November 2026 (bench/prices.ts)";
