// Workflow entry point bundled by the worker: every workflow duban runs is exported from here.
export { obligationWorkflow } from './obligation';
export { unitWorkflow } from './unit';
export { emergencyWorkflow } from './emergency';
export { informationRequestWorkflow } from './information-request';
