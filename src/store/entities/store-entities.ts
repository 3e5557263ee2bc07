import { accountStateEntity } from './account-state.entity.js';
import { configRevisionEntity } from './config-revision.entity.js';
import { hourlyRollupEntity } from './hourly-rollup.entity.js';
import { requestLogEntity } from './request-log.entity.js';

export const STORE_ENTITIES = [requestLogEntity, hourlyRollupEntity, accountStateEntity, configRevisionEntity];
