import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js";
import { Construct } from "constructs";
import { dashboardName } from "../core/naming.ts";
import type { Topology } from "../core/topology.ts";
import { dashboardBody } from "./dashboard-body.ts";

/** The app's CloudWatch dashboard (see `dashboardBody`); reading it needs no permission of the functions. */
export class FanoutDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, topology: Topology) {
    super(scope, id);
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: dashboardName(topology.app, topology.placement),
      dashboardBody: JSON.stringify(dashboardBody(topology)),
    });
  }
}
