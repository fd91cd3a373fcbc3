import path from 'node:path';

/** Project-local folders for tools and data; both are git-ignored. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
export const DATA_DIR = process.env.DATA_DIR ? path.resolve(process.env.DATA_DIR) : path.join(PROJECT_ROOT, '.data');
