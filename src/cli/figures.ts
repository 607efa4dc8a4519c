import { Command, UsageError } from './command';

// Placeholder until this command is built; it says so instead of pretending.
export const figuresCommand: Command = {
  name: 'figures',
  summary: '(not built yet)',
  help: 'Usage: bankseg figures (not built yet)',
  async run() {
    throw new UsageError('figures is not built yet');
  },
};
