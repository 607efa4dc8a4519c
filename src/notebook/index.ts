/** The notebooks' one import: `import { … } from './src/notebook/index'` (tslab cannot import a folder). */
export * from './display';
