import { Command, UsageError } from './command';

// Placeholder until this command is built; it says so instead of pretending.
export const segmentCommand: Command = {
  name: 'segment',
  summary: '(not built yet)',
  help: 'Usage: bankseg segment (not built yet)',
  async run() {
    throw new UsageError('segment is not built yet');
  },
};
