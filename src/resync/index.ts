export { createResyncer, type Resyncer, type ResyncDeps } from "./resyncer";
export { requestResync } from "./request";
export { assertDeploymentTables } from "./deployment-tables";
