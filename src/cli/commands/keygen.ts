// `custody keygen`: a managed signing key pair for key-based signing (air-gapped builds,
// self-managed GitLab). The private key file is written atomically with mode 0600.
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { pathExists, writeFileAtomic } from '../../io/fs.js';
import { generateKeyPair, KEY_ALGORITHMS, type KeyAlgorithm } from '../../sign/index.js';
import { registerSecret } from '../../util/redact.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';

interface KeygenOptions {
  outputKey: string;
  outputPub: string;
  algorithm: string;
  passphraseEnv?: string;
  force?: boolean;
}

export const registerKeygen: CommandRegistrar = (program, ctx) => {
  program
    .command('keygen')
    .description(
      'generate a signing key pair (ECDSA P-256/P-384 or Ed25519) for custody sign --key'
    )
    .option('--output-key <file>', 'private key (PKCS#8 PEM, mode 0600)', 'custody.key')
    .option('--output-pub <file>', 'public key (SPKI PEM)', 'custody.pub')
    .option('--algorithm <name>', `key algorithm: ${KEY_ALGORITHMS.join(', ')}`, 'ecdsa-p256')
    .option(
      '--passphrase-env <var>',
      'encrypt the private key with the passphrase in this environment variable'
    )
    .option('--force', 'overwrite existing key files')
    .action(commandAction<[KeygenOptions]>(ctx, (options) => runKeygen(ctx, options)));
};

async function runKeygen(ctx: CliContext, options: KeygenOptions): Promise<CommandOutput> {
  if (!(KEY_ALGORITHMS as readonly string[]).includes(options.algorithm)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`
    );
  }
  const keyPath = path.resolve(ctx.cwd, options.outputKey);
  const pubPath = path.resolve(ctx.cwd, options.outputPub);
  if (keyPath === pubPath)
    throw new CustodyError('USAGE_INVALID', '--output-key and --output-pub must differ');
  if (options.force !== true) {
    for (const file of [keyPath, pubPath]) {
      if (await pathExists(file)) {
        throw new CustodyError(
          'USAGE_INVALID',
          `${path.relative(ctx.cwd, file)} exists; refusing to overwrite a key`,
          {
            hint: 'pass --force to replace it',
          }
        );
      }
    }
  }
  const pair = generateKeyPair(options.algorithm as KeyAlgorithm);
  registerSecret(pair.privateKeyPEM);
  let privatePEM = pair.privateKeyPEM;
  if (options.passphraseEnv !== undefined) {
    const passphrase = ctx.env[options.passphraseEnv];
    if (passphrase === undefined || passphrase.length === 0) {
      throw new CustodyError(
        'USAGE_INVALID',
        `environment variable ${options.passphraseEnv} (--passphrase-env) is not set`
      );
    }
    registerSecret(passphrase);
    privatePEM = createPrivateKey(pair.privateKeyPEM)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
      .toString();
  }
  await writeFileAtomic(keyPath, privatePEM, { mode: 0o600 });
  await writeFileAtomic(pubPath, pair.publicKeyPEM);
  return {
    text: `wrote ${options.algorithm} private key ${path.relative(ctx.cwd, keyPath)} (mode 0600) and public key ${path.relative(ctx.cwd, pubPath)}\nkey hint: ${pair.keyHint}`,
    json: {
      algorithm: options.algorithm,
      privateKey: keyPath,
      publicKey: pubPath,
      keyHint: pair.keyHint,
    },
  };
}
