import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';

export function registerSecrets(program: Command, { deps }: CommandContext): void {
  const secrets = program
    .command('secrets')
    .description('where tokens and client secrets are kept')
    .addHelpText('after', `
Examples:
  $ socialync secrets where
  $ socialync secrets use-file`);
  secrets
    .command('where')
    .description('show the secret backend and where secrets live (does not unlock anything)')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync secrets where
  $ socialync secrets where --json`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const info = await (await import('../secrets/team-where.js')).secretsWhere(deps);
      if (o.json) return await printJson(deps.io, info, o.jq);
      deps.io.out(`${info.backend}\t${info.location}${info.detail ? `\t${info.detail}` : ''}`);
    });
  secrets
    .command('use-file')
    .description('switch to the encrypted-file backend for headless machines and cron (creates a 0600 key file)')
    .addHelpText('after', `
The key file is SOCIALYNC_VAULT_KEY_FILE or <config dir>/vault.key. Alternatively set
SOCIALYNC_VAULT_KEY in the environment (64 hex characters or a passphrase of 12+ characters).

Examples:
  $ socialync secrets use-file
  $ SOCIALYNC_VAULT_KEY_FILE=/etc/socialync/key socialync secrets use-file`)
    .action(async () => {
      const { runSecretsUseFile } = await import('../secrets/file-key.js');
      const r = await runSecretsUseFile({ paths: deps.paths, config: deps.config });
      deps.io.info(`✓ Secrets now use the encrypted-file backend; key file ${r.keyFile}${r.created ? ' (created, mode 0600)' : ''}. Back it up: without it the stored tokens cannot be read.`);
    });
}
