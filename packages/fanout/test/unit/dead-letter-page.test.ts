import { describe, expect, it } from "vitest";
import {
  compareLetters,
  filterLetters,
  groupLetters,
  type IndexedLetter,
  indexLetter,
  pageOf,
  reasonPattern,
} from "../../src/dashboard/dead-letter-page.ts";
import type { DeadLetter } from "../../src/operations/dead-letters.ts";

function letter(n: number, overrides: Partial<DeadLetter> = {}): IndexedLetter {
  const base: DeadLetter = {
    messageId: `m-${String(n).padStart(4, "0")}`,
    jobId: `job-${n}`,
    type: "charge-card",
    correlationId: null,
    createdAt: null,
    errorCode: "PermanentJobError",
    reason: `Order ${n} declined for card 4242`,
    attempts: 1,
    receiveCount: 2,
    failedAt: null,
    ageSeconds: 10,
    offloaded: false,
    payload: { orderId: n, note: "Rush DELIVERY" },
    decodeError: null,
    ...overrides,
  };
  return indexLetter(base, 1_000 + Math.floor(n / 10));
}

describe("the dead-letter index's pages, groups and search", () => {
  it("groups reasons that differ only in ids and numbers, largest group first", () => {
    expect(
      reasonPattern("Order 12 declined (request 9f8e7d6c5b, job 3f1c9a2e-1b2c-4d5e-8f90-123456789abc)"),
    ).toBe("Order # declined (request ‹id›, job ‹id›)");
    const letters = [
      ...Array.from({ length: 3 }, (_, n) => letter(n)),
      letter(3, { errorCode: "TimeoutError", reason: "timed out after 3001 ms" }),
      letter(4, { errorCode: "TimeoutError", reason: "timed out after 2999 ms" }),
      letter(5, { errorCode: "TimeoutError", reason: "timed out after 3000 ms" }),
      letter(6, { errorCode: "TimeoutError", reason: "timed out after 3000 ms" }),
    ];
    expect(groupLetters(letters).map((g) => [g.count, g.errorCode, g.pattern])).toEqual([
      [4, "TimeoutError", "timed out after # ms"],
      [3, "PermanentJobError", "Order # declined for card #"],
    ]);
  });

  it("keeps the same error text under two codes apart", () => {
    const letters = [letter(1), letter(2, { errorCode: "JobValidationError" })];
    expect(groupLetters(letters)).toHaveLength(2);
  });

  it("pages by cursor: every letter once, in order, and a letter arriving meanwhile shifts nothing already seen", () => {
    const letters = Array.from({ length: 25 }, (_, n) => letter(n)).sort(compareLetters);
    const first = pageOf(letters, null, 10);
    const second = pageOf(letters, first.next, 10);
    const third = pageOf(letters, second.next, 10);
    expect([first.from, second.from, third.from]).toEqual([1, 11, 21]);
    expect(third.next).toBeNull();
    expect([...first.letters, ...second.letters, ...third.letters].map((l) => l.jobId)).toEqual(
      letters.map((l) => l.jobId),
    );
    // A newer dead letter sorts last; the second page read again after it arrived is the same page.
    const grown = [...letters, letter(99)].sort(compareLetters);
    expect(pageOf(grown, first.next, 10).letters).toEqual(second.letters);
  });

  it("refuses a cursor it did not give out, with what to do", () => {
    expect(() => pageOf([], "not-a-cursor", 10)).toThrow(/open the first page again/);
  });

  it("finds a letter by job id, message id or text in its reason or payload, whatever the case", () => {
    const letters = Array.from({ length: 12 }, (_, n) => letter(n));
    expect(filterLetters(letters, { search: "job-11" }).map((l) => l.jobId)).toEqual(["job-11"]);
    expect(filterLetters(letters, { search: "m-0007" }).map((l) => l.jobId)).toEqual(["job-7"]);
    expect(filterLetters(letters, { search: "rush delivery" })).toHaveLength(12);
    expect(filterLetters(letters, { search: "ORDER 3 " }).map((l) => l.jobId)).toEqual(["job-3"]);
    const [group] = groupLetters(letters);
    expect(filterLetters(letters, { group: group?.id, search: "job-5" }).map((l) => l.jobId)).toEqual([
      "job-5",
    ]);
  });

  it("calls the receives of the dead letter itself DLQ reads, apart from the attempts before it was dead-lettered", () => {
    const indexed = letter(1, { attempts: 5, receiveCount: 3 });
    expect({ attempts: indexed.attempts, dlqReads: indexed.dlqReads }).toEqual({ attempts: 5, dlqReads: 3 });
    expect(indexed).not.toHaveProperty("receiveCount");
  });
});
