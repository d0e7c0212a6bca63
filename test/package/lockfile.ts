/**
 * A package-lock.json for an app outside this repository, cut from this repository's own lock: the packages
 * it pins, at the paths and integrities npm already installed (and cached) here. `npm ci --offline` installs
 * it from the npm cache alone, so a test can install an app without a registry.
 */

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly [field: string]: unknown;
}

export interface Lockfile {
  readonly name?: string;
  readonly lockfileVersion: 3;
  readonly requires?: boolean;
  readonly packages: Record<string, LockEntry>;
}

export interface AppManifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** Where Node (and npm) finds `name` from the package installed at `from`: nested first, then each parent. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const path = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[path]) return path;
    if (base === "") return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent === -1 ? "" : base.slice(0, parent);
  }
}

/**
 * The packages npm nested under a workspace (where its pinned versions differ from the hoisted ones), moved
 * to where they go beneath the same package installed from a tarball at `installedAt`.
 */
export function nestedUnder(source: Lockfile, workspace: string, installedAt: string): Lockfile["packages"] {
  const prefix = `${workspace}/node_modules/`;
  return Object.fromEntries(
    Object.entries(source.packages)
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, entry]) => [`${installedAt}/node_modules/${path.slice(prefix.length)}`, entry]),
  );
}

/** npm recomputes these for the new app; the repository's values (dev, peer...) describe the repository. */
function withoutRepositoryFlags({ dev, devOptional, peer, optional, ...entry }: LockEntry): LockEntry {
  return optional || devOptional ? { ...entry, optional: true } : entry;
}

/**
 * A lock written without `resolved` URLs makes `npm ci` ask the registry for each package's metadata, which
 * an offline install may not have cached; the tarball's URL (cached by its integrity) needs no such request.
 */
function withRegistryTarball(path: string, entry: LockEntry): LockEntry {
  if (entry.resolved || !entry.version) return entry;
  const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  const file = `${name.slice(name.lastIndexOf("/") + 1)}-${entry.version}.tgz`;
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${file}` };
}

/**
 * The lock of `app`: every package its dependencies reach (dependencies, optional ones, required peers),
 * taken from `source`; `own` supplies entries the source has no copy of (the packed library itself).
 */
export function cutLockfile(source: Lockfile, app: AppManifest, own: Record<string, LockEntry>): Lockfile {
  const available = { ...source.packages, ...own };
  const packages: Record<string, LockEntry> = {};
  const pending: Array<{ from: string; name: string; required: boolean }> = Object.keys({
    ...app.dependencies,
    ...app.devDependencies,
  }).map((name) => ({ from: "", name, required: true }));
  while (pending.length > 0) {
    const { from, name, required } = pending.pop() as (typeof pending)[number];
    const path = locate(available, from, name);
    if (!path) {
      if (required) throw new Error(`${name} (needed by ${from || app.name}) is not in the source lock.`);
      continue;
    }
    if (packages[path]) continue;
    const entry = available[path] as LockEntry;
    if (entry.link) throw new Error(`${path} is a link in the source lock; supply it in \`own\`.`);
    packages[path] = withRegistryTarball(path, withoutRepositoryFlags(entry));
    for (const dependency of Object.keys(entry.dependencies ?? {}))
      pending.push({ from: path, name: dependency, required: true });
    for (const dependency of Object.keys(entry.optionalDependencies ?? {}))
      pending.push({ from: path, name: dependency, required: false });
    // An optional peer is only used where the app installs it anyway, so it is not followed.
    for (const peer of Object.keys(entry.peerDependencies ?? {}))
      if (!entry.peerDependenciesMeta?.[peer]?.optional)
        pending.push({ from: path, name: peer, required: true });
  }
  const root: LockEntry = {
    name: app.name,
    version: app.version,
    dependencies: app.dependencies,
    ...(app.devDependencies ? { devDependencies: app.devDependencies } : {}),
  };
  return { name: app.name, lockfileVersion: 3, requires: true, packages: { "": root, ...packages } };
}
