export * from './model.ts';
export * from './errors.ts';
export * from './geometry.ts';
export * from './config.ts';
export * from './outputs/text.ts';
export * from './outputs/markdown.ts';
export * from './outputs/html.ts';
export * from './outputs/table-grid.ts';
