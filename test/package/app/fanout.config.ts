import { defineConfig } from "fanout";

export default defineConfig({ registry: "./src/jobs.ts", handlers: "./src/handlers" });
