export * from './crm.config';
export * from './crm-data-source';
export * from './crm.service-runner';
export { CRM_MIGRATIONS } from './migrations';
