import { Command, UsageError } from './command';

// Placeholder until this command is built; it says so instead of pretending.
export const profileCommand: Command = {
  name: 'profile',
  summary: '(not built yet)',
  help: 'Usage: bankseg profile (not built yet)',
  async run() {
    throw new UsageError('profile is not built yet');
  },
};
