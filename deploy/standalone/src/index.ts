export * from './switchboard.composition';
