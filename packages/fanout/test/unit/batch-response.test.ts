import { describe, expect, it } from "vitest";
import { failedRecordIds } from "../../src/local/batch-response.ts";
import { sqsRecord } from "./factories.ts";

describe("the local runner reads a handler's batchItemFailures as Lambda does", () => {
  const records = [sqsRecord({ messageId: "m-1" }), sqsRecord({ messageId: "m-2" })];

  it("deletes every record when the handler reports none failed", () => {
    expect(failedRecordIds(undefined, records)).toEqual(new Set());
    expect(failedRecordIds({}, records)).toEqual(new Set());
    expect(failedRecordIds({ batchItemFailures: [] }, records)).toEqual(new Set());
  });

  it("keeps exactly the records it names", () => {
    expect(failedRecordIds({ batchItemFailures: [{ itemIdentifier: "m-2" }] }, records)).toEqual(
      new Set(["m-2"]),
    );
  });

  it("fails the whole batch when it names a record it was never sent", () => {
    expect(failedRecordIds({ batchItemFailures: [{ itemIdentifier: "m-9" }] }, records)).toBeUndefined();
    expect(
      failedRecordIds(
        { batchItemFailures: [{ itemIdentifier: "m-1" }, { itemIdentifier: "other" }] },
        records,
      ),
    ).toBeUndefined();
  });

  it("fails the whole batch for an answer it cannot read", () => {
    expect(failedRecordIds({ batchItemFailures: "m-1" }, records)).toBeUndefined();
    expect(failedRecordIds({ batchItemFailures: [{ itemIdentifier: 7 }] }, records)).toBeUndefined();
    expect(failedRecordIds({ batchItemFailures: [null] }, records)).toBeUndefined();
  });
});
