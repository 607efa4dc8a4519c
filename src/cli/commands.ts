import type { Command } from './command';
import { generateCommand } from './generate';
import { profileCommand } from './profile';
import { segmentCommand } from './segment';
import { figuresCommand } from './figures';
import { db_importCommand } from './db_import';
import { runCommand } from './run';
import { cacheCommand } from './cache';
import { assignCommand } from './assign';
import { migrateCommand } from './migrate';

/** Every `bankseg` sub-command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  runCommand, generateCommand, profileCommand, segmentCommand, assignCommand, migrateCommand, figuresCommand, db_importCommand, cacheCommand,
];
