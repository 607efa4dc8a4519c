/** Figure specs (Plotly) for the notebooks, the CLI and the exports: one import for all of them. */
export * from './theme';
export * from '../explore/aggregate';
export * from './eda';
export * from './segments';
export * from './figure_registry';
