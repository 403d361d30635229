// Workflow entry point bundled by the worker: every workflow duban runs is exported from here.
export { obligationWorkflow } from './obligation';
export { unitWorkflow } from './unit';
