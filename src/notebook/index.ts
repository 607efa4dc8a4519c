/** The notebooks' one import: `import { … } from './src/notebook/index'` (tslab cannot import a folder). */
export * from './display';
// Removes the stage cache (copies of personal data): the same as `bankseg cache clear`.
export { clearCache } from '../io/cache';
