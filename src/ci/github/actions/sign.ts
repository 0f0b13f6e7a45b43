// actions/sign: digest the release files into a checksums file, then sign every file and the
// checksums file keylessly, one `<file>.sigstore.json` bundle per file (what offline verifiers
// and Scorecard look for), and report the signer identity later steps pin.
import path from 'node:path';
import { CustodyError } from '../../../errors.js';
import { readFileLimited, writeFileAtomic } from '../../../io/fs.js';
import { heading, table, type SummaryBlock } from '../summary.js';
import {
  bundleSigner,
  expandGlobs,
  isCustodyOutput,
  readSigstoreInputs,
  signerConfig,
  SIGSTORE_INPUTS,
  workingDirectory,
  type SigstoreInputs,
} from './common.js';
import type { ActionDefinition, ActionDeps, ActionResult, InputReader } from './framework.js';

export const SIGN_INPUTS = [
  'subject-path',
  'working-directory',
  'checksums',
  ...SIGSTORE_INPUTS,
] as const;
export const SIGN_OUTPUTS = [
  'bundle-paths',
  'subjects',
  'subject-count',
  'checksums-path',
  'checksums-digest',
  'checksums-bundle-path',
  'signer-identity',
  'signer-issuer',
] as const;

type SignInput = (typeof SIGN_INPUTS)[number];
type SignOutput = (typeof SIGN_OUTPUTS)[number];

/** GitHub release assets are capped at 2 GiB; signing reads the file whole. */
const SIGN_FILE_LIMIT = 2 * 1024 * 1024 * 1024 - 1;

export interface SignInputs extends SigstoreInputs {
  readonly subjectPatterns: readonly string[];
  readonly workingDirectory: string | undefined;
  /** Checksums file name in the working directory; undefined: none. */
  readonly checksums: string | undefined;
}

export function readSignInputs(read: InputReader<SignInput>): SignInputs {
  const checksums = read.optional('checksums');
  if (
    checksums !== undefined &&
    (checksums.includes('/') || checksums.includes('\\') || checksums === '..')
  ) {
    throw new CustodyError(
      'ACTION_INPUT_INVALID',
      'checksums must be a file name in the working directory'
    );
  }
  return {
    subjectPatterns: read.list('subject-path'),
    workingDirectory: read.optional('working-directory'),
    checksums,
    ...readSigstoreInputs(read),
  };
}

export async function runSign(
  inputs: SignInputs,
  deps: ActionDeps
): Promise<ActionResult<SignOutput>> {
  if (inputs.subjectPatterns.length === 0) {
    throw new CustodyError('ACTION_INPUT_INVALID', 'input subject-path is required', {
      hint: 'list the release files, e.g. "subject-path: dist/*.tgz"',
    });
  }
  const dir = await workingDirectory(deps, inputs.workingDirectory);
  const { createChecksumFile } = await import('../../../digest/index.js');
  const { signArtifact } = await import('../../../sign/index.js');
  const subjects = (await expandGlobs(dir, inputs.subjectPatterns)).filter(
    (f) =>
      !isCustodyOutput(f) &&
      (inputs.checksums === undefined || path.relative(dir, f) !== inputs.checksums)
  );
  if (subjects.length === 0) {
    throw new CustodyError('ACTION_NO_SUBJECTS', `no file matched subject-path in ${dir}`, {
      details: { patterns: inputs.subjectPatterns },
    });
  }
  let checksums: { file: string; text: string; digest: string } | undefined;
  let entries: { name: string; hex: string; size: number }[];
  if (inputs.checksums !== undefined) {
    const created = await createChecksumFile({
      output: path.join(dir, inputs.checksums),
      inputs: subjects,
      cwd: dir,
    });
    entries = [...created.entries];
    const { createHash } = await import('node:crypto');
    checksums = {
      file: created.output,
      text: created.text,
      digest: createHash('sha256').update(created.text).digest('hex'),
    };
  } else {
    const { digestFiles } = await import('../../../digest/index.js');
    entries = (await digestFiles(subjects)).map((d) => ({
      name: path.relative(dir, d.path).split(path.sep).join('/'),
      hex: d.hex,
      size: d.size,
    }));
  }
  const config = await signerConfig(inputs, deps);
  const toSign = [...subjects, ...(checksums === undefined ? [] : [checksums.file])];
  const bundles: string[] = [];
  let signer = { identity: '', issuer: '' };
  for (const file of toSign) {
    const data = await readFileLimited(file, { maxBytes: SIGN_FILE_LIMIT, what: 'release file' });
    const bundle = await signArtifact(data, config);
    const target = `${file}.sigstore.json`;
    await writeFileAtomic(target, `${JSON.stringify(bundle)}\n`);
    bundles.push(target);
    if (signer.identity === '') signer = await bundleSigner(bundle);
    deps.log.info(`signed ${path.relative(dir, file)} -> ${path.basename(target)}`);
  }
  const rel = (f: string): string => path.relative(dir, f).split(path.sep).join('/');
  const summary: SummaryBlock[] = [
    heading('custody sign'),
    table(
      ['signed by', 'issuer', 'files'],
      [[signer.identity || 'unknown', signer.issuer || 'unknown', String(toSign.length)]]
    ),
    table(
      ['file', 'sha256', 'bytes', 'bundle'],
      [
        ...entries.map((e) => [e.name, e.hex, String(e.size), `${e.name}.sigstore.json`]),
        ...(checksums === undefined
          ? []
          : [
              [
                rel(checksums.file),
                checksums.digest,
                String(Buffer.byteLength(checksums.text)),
                `${rel(checksums.file)}.sigstore.json`,
              ],
            ]),
      ]
    ),
  ];
  return {
    outputs: {
      'bundle-paths': bundles.join('\n'),
      subjects: subjects.join('\n'),
      'subject-count': String(subjects.length),
      'checksums-path': checksums?.file ?? '',
      'checksums-digest': checksums === undefined ? '' : `sha256:${checksums.digest}`,
      'checksums-bundle-path': checksums === undefined ? '' : `${checksums.file}.sigstore.json`,
      'signer-identity': signer.identity,
      'signer-issuer': signer.issuer,
    },
    summary,
  };
}

export const SIGN_ACTION: ActionDefinition<SignInput, SignOutput, SignInputs> = {
  name: 'sign',
  inputNames: SIGN_INPUTS,
  outputNames: SIGN_OUTPUTS,
  secretInputs: ['identity-token'],
  readInputs: readSignInputs,
  run: runSign,
};
