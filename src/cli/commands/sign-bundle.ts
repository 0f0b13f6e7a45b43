// `custody sign-bundle`: the sigstore-conformance signing entrypoint
//   sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle FILE
//               [--trusted-root FILE] [--signing-config FILE] FILE
// Without --in-toto FILE is signed as a message signature; with it FILE is an in-toto statement
// whose exact bytes become the DSSE payload. With --trusted-root the new bundle is verified
// offline before it is written.
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { parseStatement, INTOTO_PAYLOAD_TYPE } from '../../attest/intoto.js';
import { readFileLimited, writeFileAtomic } from '../../io/fs.js';
import {
  signArtifact,
  signPayload,
  verifyBundle,
  type SigstoreBundleJSON,
} from '../../sign/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import {
  addSignerFlags,
  selfCheckPolicy,
  signerConfigFromFlags,
  type SignerFlags,
} from './sign.js';
import { ARTIFACT_LIMIT, resolveTrust } from './verify-bundle.js';

interface SignBundleOptions extends SignerFlags {
  bundle: string;
  inToto?: boolean;
  trustedRoot?: string;
}

export const registerSignBundle: CommandRegistrar = (program, ctx) => {
  const command = program
    .command('sign-bundle')
    .description('sign one file into one bundle (the sigstore-conformance sign-bundle entrypoint)')
    .argument('<file>', 'file to sign, or with --in-toto an in-toto statement')
    .requiredOption('--bundle <file>', 'where to write the bundle')
    .option('--staging', 'use the Sigstore staging instance')
    .option('--in-toto', 'sign FILE (an in-toto statement) as a DSSE envelope')
    .option(
      '--trusted-root <file>',
      'verify the new bundle against this trusted_root.json before writing it'
    );
  addSignerFlags(command).action(
    commandAction<[string, SignBundleOptions]>(ctx, (file, options) =>
      runSignBundle(ctx, file, options)
    )
  );
};

async function runSignBundle(
  ctx: CliContext,
  file: string,
  options: SignBundleOptions
): Promise<CommandOutput> {
  const out = path.resolve(ctx.cwd, options.bundle);
  if (out === path.resolve(ctx.cwd, file)) {
    throw new CustodyError('USAGE_INVALID', '--bundle would overwrite the file being signed');
  }
  const { config, identityLabel } = await signerConfigFromFlags(ctx, options);
  const data = await readFileLimited(path.resolve(ctx.cwd, file), {
    maxBytes: ARTIFACT_LIMIT,
    what: 'file to sign',
  });
  let bundle: SigstoreBundleJSON;
  if (options.inToto === true) {
    const statement = parseStatement(data); // refuse to sign something that is not a statement
    bundle = await signPayload(data, INTOTO_PAYLOAD_TYPE, config);
    if (options.trustedRoot !== undefined) {
      const trust = await resolveTrust(ctx, options);
      const subject = Object.entries(statement.subject[0]?.digest ?? {}).find(
        ([alg]) => alg === 'sha256'
      );
      verifyBundle(
        bundle,
        subject === undefined
          ? undefined
          : { kind: 'digest', algorithm: 'sha256', hex: subject[1] },
        trust,
        selfCheckPolicy(config),
        { requireTransparencyLog: config.tlog !== false }
      );
    }
  } else {
    bundle = await signArtifact(data, config);
    if (options.trustedRoot !== undefined) {
      verifyBundle(
        bundle,
        { kind: 'bytes', bytes: data },
        await resolveTrust(ctx, options),
        selfCheckPolicy(config),
        { requireTransparencyLog: config.tlog !== false }
      );
    }
  }
  await writeFileAtomic(out, prettyCanonicalJSON(bundle));
  return {
    text: `signed ${file} as ${identityLabel} → ${options.bundle}`,
    json: { file, bundle: out, identity: identityLabel },
  };
}
