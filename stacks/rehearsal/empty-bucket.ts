import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";

/**
 * `terraform destroy` refuses a bucket that holds objects (the stack sets no force_destroy, rightly), so a
 * user empties it first; this does what `aws s3 rm s3://<bucket> --recursive` does. Returns the objects removed.
 */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let removed = 0;
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0) {
      const { Errors = [] } = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
      if (Errors.length > 0) {
        throw new Error(
          `S3 did not delete ${Errors.map((e) => `${e.Key} (${e.Code})`).join(", ")} from ${bucket}`,
        );
      }
      removed += keys.length;
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return removed;
}

export function emptyBucketCommand(bucket: string): string {
  return `aws s3 rm s3://${bucket} --recursive`;
}
