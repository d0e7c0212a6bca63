import type { Topology } from "fanout";
import type { AppRegistry } from "../../shared/jobs/index.ts";
import type { RehearsalClients } from "./clients.ts";
import type { TerraformOutputs } from "./terraform.ts";

/** What every check gets: the applied stack's outputs, and clients pointed at moto. */
export interface CheckContext {
  readonly outputs: TerraformOutputs;
  /** moto's URL, for a service without an SDK client in the project. */
  readonly endpoint: string;
  readonly clients: RehearsalClients;
}

/**
 * One named check. It passes by returning and fails by throwing; the error's message is the reason, so say
 * what differs from what, and by name.
 */
export interface RehearsalCheck {
  readonly name: string;
  run(context: CheckContext): Promise<void>;
}

/**
 * What check suites are built from: the registry the stack was synthesized from, and its topology in moto's
 * account. A suite returns its checks in the order they must run (a later check may read what an earlier one
 * published).
 */
export interface CheckPlan {
  readonly registry: AppRegistry;
  readonly topology: Topology;
}

export type CheckSuite = (plan: CheckPlan) => readonly RehearsalCheck[];

export interface CheckOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly reason?: string;
  readonly seconds: number;
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(reasonOf).join("; ");
  return error instanceof Error ? error.message : String(error);
}

/** Runs every check in order, whatever the others did, and prints one line for each. */
export async function runChecks(
  checks: readonly RehearsalCheck[],
  context: CheckContext,
  print: (line: string) => void,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    const started = performance.now();
    try {
      await check.run(context);
      outcomes.push({ name: check.name, passed: true, seconds: (performance.now() - started) / 1000 });
      print(`✓ ${check.name}`);
    } catch (error) {
      const reason = reasonOf(error).replaceAll("\n", " ");
      outcomes.push({
        name: check.name,
        passed: false,
        reason,
        seconds: (performance.now() - started) / 1000,
      });
      print(`✗ ${check.name}: ${reason}`);
    }
  }
  return outcomes;
}

/** Collects every problem a check finds, so one run reports all of them instead of the first. */
export class Problems {
  readonly #found: string[] = [];

  add(problem: string): void {
    this.#found.push(problem);
  }

  /** Adds a problem unless the two values are equal as JSON. */
  expectEqual(what: string, actual: unknown, expected: unknown): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      this.add(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  }

  throwIfAny(): void {
    if (this.#found.length > 0) throw new Error(this.#found.join("; "));
  }
}
