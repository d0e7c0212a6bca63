/** The web dashboard: queues, throughput, outcomes and dead letters, on AWS or the local cloud. */
export {
  type Dashboard,
  type DashboardOptions,
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
  startDashboard,
} from "./dashboard/dashboard.ts";
export { type LocalDashboardOptions, startLocalDashboard } from "./dashboard/local.ts";
