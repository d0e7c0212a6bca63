import { defineConfig } from "fanout";

/** Where this app keeps its registry and handlers: the CLI, `fanout start` and the stack read it. */
export default defineConfig({
  registry: "./shared/jobs/index.ts",
  handlers: "./handlers",
  demo: "./shared/demo-jobs.ts",
});
