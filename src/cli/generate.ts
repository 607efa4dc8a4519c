import { Command, UsageError } from './command';

// Placeholder until this command is built; it says so instead of pretending.
export const generateCommand: Command = {
  name: 'generate',
  summary: '(not built yet)',
  help: 'Usage: bankseg generate (not built yet)',
  async run() {
    throw new UsageError('generate is not built yet');
  },
};
