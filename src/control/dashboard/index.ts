// The dashboard (README § Running the migration → Dashboard): a read-only page on the sidecar's port.
export type { DashboardData, DashboardSource, SidecarView, TableView } from "./types";
export { createDashboardSource, type DashboardSourceOptions } from "./collect";
export { renderDashboard } from "./render";
export { dashboardRoute, type RouteResponse } from "./serve";
