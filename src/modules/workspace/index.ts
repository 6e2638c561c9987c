export { WorkspaceModule } from './workspace.module.js';
export { WorkspaceController } from './controller/workspace-controller.js';
export { WorkspaceCredits } from './workspace-credits.js';
