import { describe, expect, it } from "vitest";
import { fanout } from "./run.ts";

describe("fanout --help", () => {
  it.each([
    [[]],
    [["publish"]],
    [["add-worker"]],
    [["status"]],
    [["dlq"]],
    [["dlq", "peek"]],
    [["dlq", "redrive"]],
    [["dlq", "delete"]],
    [["dlq", "purge"]],
  ])("%j --help explains the command and lists the exit codes", async (command) => {
    const { code, stdout, stderr } = await fanout([...command, "--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(new RegExp(`^Usage: fanout ${command.join(" ")}`.trimEnd()));
    expect(stdout).toContain("Exit codes:");
    expect(stdout).toMatch(/^ {2}69 {2}AWS or the local cloud unreachable/m);
  });

  it("answers an unknown command with one line naming it, and exit code 64", async () => {
    const { code, stdout, stderr } = await fanout(["stauts"]);
    expect(code).toBe(64);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^fanout: unknown command 'stauts'/);
    expect(stderr).toContain("status");
  });

  it("answers a command with no near match by saying where the list of commands is", async () => {
    const { code, stderr } = await fanout(["frobnicate"]);
    expect(code).toBe(64);
    expect(stderr).toBe("fanout: unknown command 'frobnicate' (fanout --help lists the commands)\n");
  });

  it("refuses a --count that is not a whole number with exit code 64", async () => {
    const { code, stderr } = await fanout(["publish", "echo", "--count", "two", '{"n":1}']);
    expect(code).toBe(64);
    expect(stderr).toBe('fanout: --count must be a whole number from 1 to 100000; got "two".\n');
  });
});
