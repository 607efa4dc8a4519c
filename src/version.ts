/** The version of bankseg (package.json), recorded in the files that must say which code made them (model.json). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './config';

let version: string | undefined;

/** `0.1.0`: the `version` of the project's package.json, read once. */
export function banksegVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
