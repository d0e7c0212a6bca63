/**
 * The SNS module is loaded when the first job is sent, not when the publisher is: a Lambda handler imports the
 * publisher for follow-ups it may never publish, and the module costs its cold start 100 ms or more.
 */
let snsCommands: Promise<typeof import("@aws-sdk/client-sns")> | undefined;

export function loadSnsCommands(): Promise<typeof import("@aws-sdk/client-sns")> {
  snsCommands ??= import("@aws-sdk/client-sns");
  return snsCommands;
}
