export * from './readiness-check';
export * from './readiness.service';
