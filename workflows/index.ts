// The worker bundles this file: every workflow the service runs is exported here.
export { billSync } from './billSync';
export { integrationFailures } from './integrationFailures';
export { m3terMirror } from './m3terMirror';
