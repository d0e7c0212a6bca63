import { createHash } from "node:crypto";
import { HttpError } from "../core/errors.ts";
import type { DeadLetter } from "../operations/dead-letters.ts";

/** A dead letter as the index keeps it: its list fields, what search looks in, and its reason group. */
export interface IndexedLetter extends Omit<DeadLetter, "payload" | "receiveCount"> {
  /** Times this dead letter was received from its DLQ (by this dashboard or `dlq peek`); counts toward nothing. */
  readonly dlqReads: number;
  /** When it entered the DLQ (SQS's SentTimestamp), in epoch milliseconds; 0 when unknown. */
  readonly sentAt: number;
  readonly groupId: string;
  /** The start of the payload as JSON, for the list and for search. */
  readonly payloadPreview: string;
  /** The same, lower-cased: search is case-insensitive. */
  readonly searchText: string;
}

export interface ReasonGroup {
  readonly id: string;
  readonly errorCode: string | null;
  /** The reason with its ids and numbers replaced, so that "job 1 failed" and "job 2 failed" are one group. */
  readonly pattern: string;
  /** One reason of the group as it was recorded. */
  readonly example: string | null;
  readonly count: number;
}

const PREVIEW_CHARS = 300;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** Hex or base-36 tokens with at least one digit, 8 characters or more: ids, hashes, request ids. */
const ID_TOKEN = /\b(?=[0-9a-z_-]*\d)[0-9a-z_-]{8,}\b/gi;
const NUMBER = /\d+(?:\.\d+)?/g;

export function reasonPattern(reason: string | null): string {
  if (reason === null) return "(no reason recorded)";
  return reason.replace(UUID, "‹id›").replace(ID_TOKEN, "‹id›").replace(NUMBER, "#");
}

function groupIdOf(errorCode: string | null, pattern: string): string {
  return createHash("sha256")
    .update(`${errorCode ?? ""}\u0000${pattern}`)
    .digest("base64url")
    .slice(0, 12);
}

export function indexLetter(letter: DeadLetter, sentAt: number): IndexedLetter {
  const { payload, receiveCount, ...rest } = letter;
  const text =
    typeof payload === "string" && letter.decodeError !== null ? payload : (JSON.stringify(payload) ?? "");
  const payloadPreview = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  const searchable = [letter.jobId, letter.messageId, letter.correlationId, letter.errorCode, letter.reason];
  return {
    ...rest,
    dlqReads: receiveCount,
    sentAt,
    groupId: groupIdOf(letter.errorCode, reasonPattern(letter.reason)),
    payloadPreview,
    searchText: [...searchable, text.slice(0, 4_000)].join("\n").toLowerCase(),
  };
}

/** Oldest first: the order SQS would hand them back, and the order an operator works through them. */
export function compareLetters(a: IndexedLetter, b: IndexedLetter): number {
  return a.sentAt - b.sentAt || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
}

/** The reason groups, largest first. */
export function groupLetters(letters: readonly IndexedLetter[]): ReasonGroup[] {
  const groups = new Map<
    string,
    { errorCode: string | null; pattern: string; example: string | null; count: number }
  >();
  for (const letter of letters) {
    const group = groups.get(letter.groupId);
    if (group) group.count += 1;
    else
      groups.set(letter.groupId, {
        errorCode: letter.errorCode,
        pattern: reasonPattern(letter.reason),
        example: letter.reason,
        count: 1,
      });
  }
  return [...groups]
    .map(([id, group]) => ({ id, ...group }))
    .sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
}

export interface LetterFilter {
  readonly group?: string | undefined;
  /** A job id, message id or correlation id (exact), or text in the reason or payload. */
  readonly search?: string | undefined;
}

export function filterLetters(letters: readonly IndexedLetter[], filter: LetterFilter): IndexedLetter[] {
  const search = filter.search?.trim().toLowerCase() ?? "";
  return letters.filter(
    (letter) =>
      (!filter.group || letter.groupId === filter.group) && (!search || letter.searchText.includes(search)),
  );
}

/** A page's position as the next request names it: the last letter shown, so new arrivals shift nothing. */
function encodeCursor(letter: IndexedLetter): string {
  return Buffer.from(JSON.stringify([letter.sentAt, letter.messageId])).toString("base64url");
}

function decodeCursor(cursor: string): { sentAt: number; messageId: string } {
  try {
    const [sentAt, messageId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof sentAt === "number" && typeof messageId === "string") return { sentAt, messageId };
  } catch {
    // Reported below, as every malformed cursor is.
  }
  throw new HttpError(400, "The page cursor is not one this dashboard gave out; open the first page again.");
}

export interface LetterPage {
  readonly letters: readonly IndexedLetter[];
  /** 1-based position of the first letter shown among the matching ones. */
  readonly from: number;
  readonly next: string | null;
}

/** The page after `cursor` (or the first) of letters sorted by `compareLetters`. */
export function pageOf(letters: readonly IndexedLetter[], cursor: string | null, size: number): LetterPage {
  let start = 0;
  if (cursor) {
    const after = decodeCursor(cursor);
    const found = letters.findIndex(
      (l) => l.sentAt > after.sentAt || (l.sentAt === after.sentAt && l.messageId > after.messageId),
    );
    start = found === -1 ? letters.length : found;
  }
  const shown = letters.slice(start, start + size);
  const last = shown.at(-1);
  return {
    letters: shown,
    from: start + 1,
    next: last && start + size < letters.length ? encodeCursor(last) : null,
  };
}
