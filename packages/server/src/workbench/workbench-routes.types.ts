/** What every workbench route group receives from `workbench.routes.ts` (a leaf module, so the groups do not import their parent). */
import type { AppServices } from '../http/app.services.ts';
import type { Workbench } from './workbench.ts';

export interface WorkbenchRouteOptions {
  wb: Workbench;
  services: AppServices;
}
