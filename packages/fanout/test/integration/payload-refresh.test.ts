import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PayloadStore } from "../../src/core/payload-store.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/** The S3 commands a client sends, by name, seen on the wire side of the SDK. */
function recordCommands(h: Harness): string[] {
  const sent: string[] = [];
  h.fanout.clients.s3.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  return sent;
}

describe("payload objects a job still needs are kept from expiring", () => {
  let h: Harness;
  let sent: string[];
  beforeAll(async () => {
    h = await startHarness({ workers: false });
    sent = recordCommands(h);
  });
  afterAll(() => h.stop());

  const store = (afterSeconds: number, failures: unknown[] = []) =>
    new PayloadStore({
      s3: h.fanout.clients.s3,
      bucket: h.fanout.provisioned.bucket,
      refresh: { afterSeconds, prefix: "payloads/echo/", onFailure: (_key, error) => failures.push(error) },
    });

  it("copies an object older than the refresh age onto itself when it is read, body and checksum unchanged", async () => {
    const stored = await h.payloads.put("payloads/echo/old.json", '{"v":1,"old":true}');
    sent.length = 0;
    const failures: unknown[] = [];
    expect(await store(0, failures).get(stored)).toBe('{"v":1,"old":true}');
    expect(sent).toEqual(["GetObjectCommand", "CopyObjectCommand"]);
    expect(failures).toEqual([]);
    expect(await store(3600).get(stored)).toBe('{"v":1,"old":true}');
    const head = await h.fanout.clients.s3.send(
      new HeadObjectCommand({ Bucket: h.fanout.provisioned.bucket, Key: stored.key }),
    );
    expect(head.Metadata?.sha256).toBe(stored.sha256);
  });

  it("leaves a young object, and objects outside the job type's own prefix, alone", async () => {
    const young = await h.payloads.put("payloads/echo/young.json", "{}");
    const foreign = await h.payloads.put("extended/foreign.json", "{}");
    sent.length = 0;
    await store(3600).get(young);
    await store(0).get(foreign);
    expect(sent).toEqual(["GetObjectCommand", "GetObjectCommand"]);
  });
});
