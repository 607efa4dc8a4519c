import { Command, UsageError } from './command';

// Placeholder until this command is built; it says so instead of pretending.
export const db_importCommand: Command = {
  name: 'db-import',
  summary: '(not built yet)',
  help: 'Usage: bankseg db-import (not built yet)',
  async run() {
    throw new UsageError('db-import is not built yet');
  },
};
