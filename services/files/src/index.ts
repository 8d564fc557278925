export * from './files.config';
export * from './files-data-source';
export * from './files.service-runner';
export { FILES_MIGRATIONS } from './migrations';
export { FILE_REFUSALS } from './content/file-classification';
