import { ApiExtension } from '@nestjs/swagger';
import type { ErrorCode } from '../common/index.js';

/**
 * The errors a route produces itself (beyond those its access kind implies), declared next to
 * the route so the catalog and OpenAPI list them.
 */
export const DeclareErrors = (...codes: ErrorCode[]) => ApiExtension('x-gpx-errors', codes);
