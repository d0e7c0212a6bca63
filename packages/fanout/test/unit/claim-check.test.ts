import { describe, expect, it } from "vitest";
import { packBatches } from "../../src/core/batches.ts";
import { decodePointer, encodePointer, POINTER_CLASS } from "../../src/core/claim-check.ts";
import { decodeEnvelope } from "../../src/core/envelope.ts";
import { MalformedMessageError } from "../../src/core/errors.ts";
import { messageSize } from "../../src/core/sqs-limits.ts";

describe("claim-check pointer", () => {
  it("writes the pointer exactly as AWS's Java extended client does, plus our integrity field", () => {
    expect(encodePointer({ bucket: "b", key: "k" })).toBe(
      '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]',
    );
    expect(JSON.parse(encodePointer({ bucket: "b", key: "k", sha256: "a".repeat(64) }))[1].sha256).toBe(
      "a".repeat(64),
    );
  });

  it("reads pointers with any JSON spacing, as Python's json.dumps writes them", () => {
    const python = `[ "${POINTER_CLASS}" , { "s3BucketName" : "b", "s3Key" : "payloads/x" } ]`;
    expect(decodePointer(python)).toEqual({ bucket: "b", key: "payloads/x" });
  });

  it("leaves ordinary bodies alone and refuses broken pointers", () => {
    expect(decodePointer('{"v":1}')).toBeUndefined();
    expect(decodePointer('["something", {}]')).toBeUndefined();
    expect(() => decodePointer(`["${POINTER_CLASS}", {"s3Key": "k"}]`)).toThrow(MalformedMessageError);
    expect(() =>
      decodePointer(`["${POINTER_CLASS}", {"s3BucketName": "b", "s3Key": "k", "sha256": "zz"}]`),
    ).toThrow(/sha256 that is not 64 hex digits/);
  });

  it("counts message size in UTF-8 bytes of body and of each attribute's name, type and value", () => {
    expect(messageSize("€", {})).toBe(3);
    expect(messageSize("ab", { jobType: { DataType: "String", StringValue: "échó" } })).toBe(2 + 7 + 6 + 6);
  });
});

describe("envelope", () => {
  it("refuses an unknown envelope version with a message saying to upgrade", () => {
    expect(() =>
      decodeEnvelope('{"v":2,"id":"x","type":"t","createdAt":"2026-01-01T00:00:00Z","payload":{}}'),
    ).toThrow("Envelope version 2 is not supported (this consumer reads version 1); upgrade the consumer.");
  });

  it("names the fields that are missing", () => {
    expect(() => decodeEnvelope('{"v":1,"type":"t"}')).toThrow(/bad or missing: id, createdAt/);
  });
});

describe("PublishBatch packing", () => {
  it("closes a request at 10 entries or before 262,144 bytes, whichever comes first", () => {
    const sizes = (batches: { size: number }[][]) => batches.map((b) => b.map((m) => m.size));
    expect(
      sizes(
        packBatches(
          Array.from({ length: 21 }, () => ({ size: 1 })),
          262_144,
        ),
      ),
    ).toEqual([Array(10).fill(1), Array(10).fill(1), [1]]);
    expect(sizes(packBatches([{ size: 200_000 }, { size: 62_144 }, { size: 1 }], 262_144))).toEqual([
      [200_000, 62_144],
      [1],
    ]);
  });
});
