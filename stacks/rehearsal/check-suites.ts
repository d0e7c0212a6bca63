import type { CheckSuite } from "./check-runner.ts";
import { deliveryChecks } from "./delivery-checks.ts";
import { idempotencyChecks } from "./idempotency-checks.ts";
import { scheduleChecks } from "./schedule-checks.ts";
import { stackChecks } from "./stack-checks.ts";

/**
 * The checks run against the applied stack, suite after suite. To add checks, write a `CheckSuite` in a file
 * of its own and list it here; a suite that publishes should drain what it published (the delivery suite
 * leaves every queue empty for the suites after it).
 */
export const CHECK_SUITES: readonly CheckSuite[] = [
  stackChecks,
  idempotencyChecks,
  deliveryChecks,
  scheduleChecks,
];
