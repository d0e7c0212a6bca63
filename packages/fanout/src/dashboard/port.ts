import { DEFAULT_DASHBOARD_PORT } from "./dashboard.ts";

/** The dashboard's port: `--port`, else `FANOUT_DASHBOARD_PORT`, else 4567; 0 picks a free port. */
export function dashboardPort(option: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const configured = option ?? env.FANOUT_DASHBOARD_PORT;
  if (configured === undefined || configured === "") return DEFAULT_DASHBOARD_PORT;
  const port = Number(configured);
  if (!/^\d+$/.test(configured.trim()) || port > 65_535) {
    const source = option === undefined ? `FANOUT_DASHBOARD_PORT=${configured}` : `--port ${configured}`;
    throw new RangeError(`${source} is not a port number; use 0 to 65535 (0 picks a free port).`);
  }
  return port;
}
