// `custody verify IMAGE…` and `custody verify --images FILE`: the admission question — may these
// images run? Each image is verified from its registry with the release engine (src/oci/adapter/
// verify.ts); a manifest that names an image by tag only fails, as unpinned.
import path from 'node:path';
import { CustodyError } from '../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../io/fs.js';
import { runImageVerification } from '../../oci/adapter/verify.js';
import { imagesInManifests } from '../../oci/manifests-yaml.js';
import type { PolicyFlags } from '../../policy/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { renderMarkdown, renderText } from '../../verify/render.js';
import type { VerificationReport } from '../../verify/types.js';
import type { CliContext, CommandOutput } from '../context.js';
import type { VerifyOptions } from './verify.js';

const MANIFEST_FILE_LIMIT = 16 * 1024 * 1024;

function flagsOf(options: VerifyOptions, publicKey: string | undefined): PolicyFlags {
  const pick = <K extends keyof PolicyFlags>(
    key: K,
    value: PolicyFlags[K] | undefined
  ): Partial<PolicyFlags> => (value === undefined ? {} : { [key]: value });
  return {
    ...pick('certificateIdentity', options.certificateIdentity),
    ...pick('certificateIdentityRegexp', options.certificateIdentityRegexp),
    ...pick('certificateOidcIssuer', options.certificateOidcIssuer),
    ...pick('certificateOidcIssuerRegexp', options.certificateOidcIssuerRegexp),
    ...pick('signerWorkflow', options.signerWorkflow),
    ...pick('sourceRef', options.sourceRef),
    ...pick('sourceDigest', options.sourceDigest),
    ...(options.denySelfHostedRunners === true ? { denySelfHostedRunners: true } : {}),
    ...pick('predicateType', options.predicateType),
    ...pick('publicKey', publicKey),
  };
}

interface ImageOutcome {
  image: string;
  where?: string;
  verdict: 'PASS' | 'FAIL';
  digest?: string;
  code?: string;
  message?: string;
  report?: VerificationReport;
}

export async function runVerifyImages(
  ctx: CliContext,
  split: { images: string[]; files: string[] },
  options: VerifyOptions,
  run: {
    now: Date;
    reportTime: Date;
    format: 'text' | 'json' | 'markdown';
    publicKey: string | undefined;
  }
): Promise<CommandOutput> {
  if (split.files.length > 0) {
    throw new CustodyError(
      'USAGE_INVALID',
      'verify a release directory and images in separate calls',
      {
        hint: `not images: ${split.files.join(', ')}`,
      }
    );
  }
  if (options.vsa !== undefined) {
    throw new CustodyError(
      'USAGE_INVALID',
      '--vsa is for a release directory; it is not written for images yet'
    );
  }
  const wanted: { image: string; where?: string; pinned: boolean }[] = split.images.map(
    (image) => ({ image, pinned: true })
  );
  if (options.images !== undefined) {
    const file = path.resolve(ctx.cwd, options.images);
    const text = await readTextLimited(file, {
      maxBytes: MANIFEST_FILE_LIMIT,
      what: 'Kubernetes manifest',
    });
    const named = imagesInManifests(text, options.images);
    if (named.length === 0)
      throw new CustodyError('INPUT_SCHEMA_INVALID', `${options.images} names no image`);
    wanted.push(...named);
  }
  const policyFlags = flagsOf(options, run.publicKey);
  const outcomes: ImageOutcome[] = [];
  const seen = new Map<string, ImageOutcome>();
  for (const w of wanted) {
    // Why: a tag can be moved after verification and before the kubelet pulls; only a digest
    // names what was verified, so an admission check must refuse tags in the manifest itself.
    if (!w.pinned) {
      outcomes.push({
        image: w.image,
        ...(w.where === undefined ? {} : { where: w.where }),
        verdict: 'FAIL',
        code: 'OCI_REFERENCE_UNPINNED',
        message: `${w.image} is not pinned by digest (use ${w.image.replace(/:[^/:]+$/, '')}@sha256:<digest>)`,
      });
      continue;
    }
    const cached = seen.get(w.image);
    if (cached !== undefined) {
      outcomes.push({ ...cached, ...(w.where === undefined ? {} : { where: w.where }) });
      continue;
    }
    let outcome: ImageOutcome;
    try {
      const result = await runImageVerification({
        cwd: ctx.cwd,
        env: ctx.env,
        image: w.image,
        ...(options.plainHttp === true ? { plainHttp: true } : {}),
        ...(options.cosignTags === true ? { cosignTags: true } : {}),
        ...(options.policy === undefined ? {} : { policyFile: options.policy }),
        policyFlags,
        ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
        ...(options.staging === true ? { staging: true } : {}),
        now: run.now,
        reportTime: run.reportTime,
      });
      for (const note of result.notes) ctx.io.stderr(`note: ${note}\n`);
      outcome = {
        image: w.image,
        verdict: result.report.verdict,
        digest: result.image.digest,
        report: result.report,
      };
    } catch (error) {
      if (!(error instanceof CustodyError) || options.images === undefined) throw error;
      outcome = { image: w.image, verdict: 'FAIL', code: error.code, message: error.message };
    }
    seen.set(w.image, outcome);
    outcomes.push({ ...outcome, ...(w.where === undefined ? {} : { where: w.where }) });
  }
  const verdict = outcomes.every((o) => o.verdict === 'PASS') ? 'PASS' : 'FAIL';
  const exitCode = verdict === 'PASS' ? 0 : 1;
  const single =
    outcomes.length === 1 && options.images === undefined ? outcomes[0]?.report : undefined;
  const json = single ?? { verdict, images: outcomes };
  const render = (report: VerificationReport): string =>
    run.format === 'markdown' ? renderMarkdown(report) : renderText(report);
  const text =
    run.format === 'json'
      ? prettyCanonicalJSON(json)
      : single !== undefined
        ? render(single)
        : [
            ...outcomes.map(
              (o) =>
                `${o.verdict} ${o.image}${o.where === undefined ? '' : ` (${o.where})`}${o.code === undefined ? '' : `: error[${o.code}] ${o.message ?? ''}`}`
            ),
            ...outcomes.flatMap((o) =>
              o.report === undefined || o.verdict === 'PASS'
                ? []
                : [``, `── ${o.image}`, render(o.report)]
            ),
            '',
            `${verdict}: ${outcomes.filter((o) => o.verdict === 'PASS').length}/${outcomes.length} image reference(s) may run`,
          ].join('\n');
  if (options.output !== undefined) {
    await writeFileAtomic(path.resolve(ctx.cwd, options.output), text);
    return { text: `${verdict}: report written to ${options.output}`, json, exitCode };
  }
  return { text, json, exitCode };
}
