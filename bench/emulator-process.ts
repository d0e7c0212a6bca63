/**
 * The local cloud in a process of its own, so that its CPU time is never counted as the publisher's.
 * Started by `emulator.ts`; reports its endpoint over IPC and stops when its parent disconnects.
 */
import { startLocalCloud } from "fanout/local";

const cloud = await startLocalCloud({ port: 0 });
process.send?.({ endpoint: cloud.endpoint });
process.on("disconnect", () => {
  void cloud.stop().finally(() => process.exit(0));
});
