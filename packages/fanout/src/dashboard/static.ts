import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * The page's files, read once at start: only what is in `dashboard/public` (no subfolders) can be served,
 * so no request path can reach anything else on disk.
 */
export async function loadStaticFiles(): Promise<ReadonlyMap<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const name of await readdir(PUBLIC_DIR)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    files.set(name, { body: await readFile(join(PUBLIC_DIR, name)), contentType });
  }
  return files;
}
