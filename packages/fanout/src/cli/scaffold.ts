import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { LoadedConfig } from "../core/config.ts";
import { errorMessage, InputError, UsageError } from "../core/errors.ts";
import { assertValidName } from "../core/registry.ts";
import { handlerModule, handlerTest, jobModule } from "./worker-templates.ts";

/** A path relative to the project root, with forward slashes. */
function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

/** How a file imports another, as the app's own files write it: relative, with its extension. */
function importSpecifier(from: string, to: string): string {
  const path = relativePath(dirname(from), to);
  return path.startsWith(".") ? path : `./${path}`;
}

export interface FileChange {
  /** Relative to the project root, with forward slashes. */
  readonly path: string;
  readonly action: "create" | "update";
  readonly content: string;
}

export interface WorkerPlan {
  readonly type: string;
  /** The exported name of the job definition in `<type>.ts`, beside the registry module. */
  readonly identifier: string;
  readonly changes: readonly FileChange[];
}

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async".split(
    " ",
  ),
);
const LINE_WIDTH = 110;

function camelCase(type: string): string {
  return type.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Adds the import and the array entry to the registry file, or refuses if it is not in the shape it edits. */
export function addToRegistrySource(source: string, type: string, identifier: string): string {
  const refuse = (what: string) =>
    new InputError(
      `The registry module is not in the shape add-worker edits (${what}); add the job type by hand: import its definition and list it in \`jobs: [...]\`.`,
    );
  const jobsPattern = /^([ \t]*)jobs:\s*\[([^\]]*)\](,?)[ \t]*$/gm;
  const matches = [...source.matchAll(jobsPattern)];
  if (matches.length !== 1) throw refuse(`expected one \`jobs: [...]\` list, found ${matches.length}`);
  const match = matches[0] as RegExpExecArray;
  const [whole, indent = "", list = "", comma = ""] = match;
  const entries = list
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.some((e) => !/^[A-Za-z_$][\w$]*$/.test(e))) {
    throw refuse("the jobs list holds something other than plain names");
  }
  const ids = [...entries, identifier];
  const oneLine = `${indent}jobs: [${ids.join(", ")}]${comma}`;
  const jobs =
    oneLine.length <= LINE_WIDTH
      ? oneLine
      : [`${indent}jobs: [`, ...ids.map((id) => `${indent}  ${id},`), `${indent}]${comma}`].join("\n");
  const start = match.index ?? 0;
  let edited = source.slice(0, start) + jobs + source.slice(start + whole.length);

  const imports = [...edited.matchAll(/^import .+ from "([^"]+)";[ \t]*$/gm)];
  if (imports.length === 0) throw refuse("no import statements");
  const specifier = `./${type}.ts`;
  const line = `import { ${identifier} } from "${specifier}";\n`;
  // Sorted among the sibling imports, as the formatter's import ordering keeps them.
  const next = imports.find((i) => (i[1] ?? "").startsWith("./") && (i[1] ?? "") > specifier);
  const last = imports.at(-1) as RegExpExecArray;
  const at = next ? (next.index ?? 0) : (last.index ?? 0) + last[0].length + 1;
  edited = edited.slice(0, at) + line + edited.slice(at);
  return edited;
}

/**
 * Everything `add-worker` will write, computed before anything is: the name is checked against the naming
 * rules, the registry's job types and subscribers, and the files that already exist.
 */
export async function planWorker(
  config: LoadedConfig,
  type: string,
  description: string,
): Promise<WorkerPlan> {
  assertValidName("Job type", type);
  const { registry, root } = config;
  const registryFile = relativePath(root, config.registryModule);
  if (Object.hasOwn(registry.jobs, type)) {
    throw new UsageError(`Job type "${type}" already exists in ${registryFile}; pick another name.`);
  }
  if (registry.subscribers.some((s) => s.name === type)) {
    throw new UsageError(
      `"${type}" is the name of a subscriber, and its queues would collide with the job type's; pick another name.`,
    );
  }
  const registrySource = await readFile(config.registryModule, "utf8");
  let identifier = camelCase(type);
  if (RESERVED.has(identifier) || new RegExp(`\\b${identifier}\\b`).test(registrySource)) {
    identifier = `${identifier}Job`;
  }
  if (new RegExp(`\\b${identifier}\\b`).test(registrySource)) {
    throw new UsageError(
      `The name ${identifier} is already used in ${registryFile}; pick another job type name.`,
    );
  }
  const jobFile = join(dirname(config.registryModule), `${type}.ts`);
  const handlerFile = join(config.handlersDirectory, `${type}.ts`);
  const testFile = join(root, "test", "jobs", `${type}.test.ts`);
  const changes: FileChange[] = [
    {
      path: relativePath(root, jobFile),
      action: "create",
      content: jobModule(type, identifier, description),
    },
    {
      path: relativePath(root, handlerFile),
      action: "create",
      content: handlerModule(type, importSpecifier(handlerFile, config.registryModule)),
    },
    {
      path: relativePath(root, testFile),
      action: "create",
      content: handlerTest(type, importSpecifier(testFile, config.registryModule)),
    },
    { path: registryFile, action: "update", content: addToRegistrySource(registrySource, type, identifier) },
  ];
  const existing = changes.filter((c) => c.action === "create" && existsSync(join(root, c.path)));
  if (existing.length > 0) {
    throw new UsageError(
      `${existing.map((c) => c.path).join(", ")} already exist${existing.length === 1 ? "s" : ""}; remove ${existing.length === 1 ? "it" : "them"} or pick another name.`,
    );
  }
  return { type, identifier, changes };
}

/** Writes the plan; if any write fails, removes what it created and restores what it updated. */
export async function applyPlan(root: string, plan: WorkerPlan): Promise<void> {
  const undo: (() => Promise<void>)[] = [];
  try {
    for (const change of plan.changes) {
      const path = join(root, change.path);
      if (change.action === "create") {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, change.content, { flag: "wx" });
        undo.push(() => rm(path, { force: true }));
      } else {
        const before = await readFile(path, "utf8");
        await writeFile(path, change.content);
        undo.push(() => writeFile(path, before));
      }
    }
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw new InputError(`Could not write the new job type (${errorMessage(error)}); nothing was changed.`);
  }
}
