#!/usr/bin/env node
// This file is in the repository, not built, so npm can link it and mark it executable when it installs the
// workspace, before the build has run.

// The local cloud's emulator opens node:sqlite, which Node 22 still flags as experimental: a warning the
// operator can do nothing about. Every other warning is printed as Node prints it.
const [printWarning] = process.listeners("warning");
if (printWarning) {
  process.removeListener("warning", printWarning);
  process.on("warning", (warning) => {
    if (warning.name === "ExperimentalWarning" && warning.message.startsWith("SQLite")) return;
    printWarning(warning);
  });
}

await import("../dist/cli/fanout.js");
