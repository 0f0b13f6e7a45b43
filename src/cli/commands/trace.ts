// `custody trace ARTIFACT|sha256:HEX` / `custody trace --commit SHA`: gathers the release's
// attestations, verifies each, and reports the commit-to-deploy trail with its gaps as Markdown,
// JSON (docs/trace.schema.json) or a self-contained HTML page. See docs/trace.md.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { digestFile } from '../../digest/files.js';
import { CustodyError } from '../../errors.js';
import { readTextLimited, writeFileAtomic } from '../../io/fs.js';
import {
  loadTrustedRoot,
  signStatement,
  type IdentityPolicy,
  type TrustContext,
} from '../../sign/index.js';
import type { LocalSigstoreStack } from '../../stack/index.js';
import { gatherAttestations, verifyAttestations } from '../../trace/adapter/gather.js';
import { lookupRekor, providedEvidence, rekorAttestations } from '../../trace/adapter/rekor.js';
import { buildTrace, sha256Subjects, statementKind } from '../../trace/build.js';
import { buildDeploymentStatement, VSA_MEDIA_TYPE } from '../../trace/deployment.js';
import { renderTraceHTML } from '../../trace/render-html.js';
import { renderTraceMarkdown } from '../../trace/render-markdown.js';
import type { Trace, TraceTarget, VerifiedEntry } from '../../trace/types.js';
import { appendBundle } from '../../attest/output.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import { registerSecret } from '../../util/redact.js';
import { resolveBuildTime } from '../../util/time.js';
import { commandAction } from '../action.js';
import type { CliContext, CommandOutput, CommandRegistrar } from '../context.js';
import type { DemoStep } from '../demo/state.js';
import { resolveTrust } from './verify-bundle.js';

const FORMATS = ['markdown', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface TraceOptions {
  commit?: string;
  attestations: string[];
  trustedRoot?: string;
  staging?: boolean;
  format?: string;
  output?: string;
  strict?: boolean;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  key?: string;
  rekorUrl?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const registerTrace: CommandRegistrar = (program, ctx) => {
  program
    .command('trace')
    .description(
      'the commit-to-deploy audit trail of an artifact or digest (or forward from --commit): verified links and gaps'
    )
    .argument('[target]', 'artifact file or sha256:<hex> digest')
    .option('--commit <sha>', 'walk forward: artifacts built from this commit and where they run')
    .option(
      '--attestations <path>',
      "attestation file or directory (*.intoto.jsonl, *.sigstore.json, VSAs; repeatable; default: the artifact's directory, else .)",
      collect,
      []
    )
    .option(
      '--trusted-root <file>',
      'trusted_root.json to verify against (default: embedded public-good)'
    )
    .option('--staging', 'verify against the embedded Sigstore staging root')
    .option(
      '--format <format>',
      'markdown, json or html (default: from --output extension, else markdown)'
    )
    .option('--output <file>', 'write the trace here instead of stdout')
    .option(
      '--certificate-identity <san>',
      'require this signer identity (default: any Fulcio identity, reported in the trace)'
    )
    .option('--certificate-identity-regexp <re>', 'require a signer identity matching this regexp')
    .option('--certificate-oidc-issuer <url>', 'require this OIDC issuer')
    .option('--key <pem>', 'public key (PEM) to verify key-signed bundles with')
    .option(
      '--rekor-url <url>',
      'also ask this Rekor v1 log for entries naming the digest (online; artifact/digest targets)'
    )
    .option('--strict', 'exit 1 when the trail has an error gap')
    .addHelpText(
      'after',
      '\nOffline unless --rekor-url is given. Exit status 0 (also with gaps, unless --strict), 1 with --strict and gaps, 2 bad input.\nDocs: docs/trace.md.'
    )
    .action(
      commandAction<[string | undefined, TraceOptions]>(ctx, (target, options) =>
        runTrace(ctx, target, options)
      )
    );
};

function formatOf(options: TraceOptions): Format {
  const chosen =
    options.format ??
    (options.output?.endsWith('.html') === true || options.output?.endsWith('.htm') === true
      ? 'html'
      : options.output?.endsWith('.json') === true
        ? 'json'
        : 'markdown');
  if (!(FORMATS as readonly string[]).includes(chosen)) {
    throw new CustodyError(
      'USAGE_INVALID',
      `--format must be markdown, json or html, not ${JSON.stringify(chosen)}`
    );
  }
  return chosen as Format;
}

async function resolveTarget(
  ctx: CliContext,
  target: string | undefined,
  commit: string | undefined
): Promise<{ target: TraceTarget; defaultDir: string }> {
  if (commit !== undefined) {
    if (target !== undefined) {
      throw new CustodyError('USAGE_INVALID', 'give either a target or --commit, not both');
    }
    if (!/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(commit)) {
      throw new CustodyError(
        'TRACE_TARGET_INVALID',
        `--commit must be a full 40- or 64-hex git commit, not ${JSON.stringify(commit.slice(0, 80))}`
      );
    }
    return { target: { kind: 'commit', commit: commit.toLowerCase() }, defaultDir: '.' };
  }
  if (target === undefined) {
    throw new CustodyError('USAGE_INVALID', 'give an artifact, sha256:<hex>, or --commit <sha>');
  }
  if (target.startsWith('sha256:')) {
    const hex = target.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw new CustodyError(
        'TRACE_TARGET_INVALID',
        `${JSON.stringify(target.slice(0, 80))} is not sha256:<64 hex>`
      );
    }
    return { target: { kind: 'digest', sha256: hex.toLowerCase() }, defaultDir: '.' };
  }
  const file = path.resolve(ctx.cwd, target);
  const isFile = await stat(file).then(
    (info) => info.isFile(),
    () => false
  );
  if (!isFile) {
    throw new CustodyError(
      'TRACE_TARGET_INVALID',
      `${target} is not a readable file, and not sha256:<64 hex>`
    );
  }
  return {
    target: {
      kind: 'artifact',
      sha256: await digestFile(file, 'sha256'),
      name: path.basename(file),
    },
    // As given, so sources in the trace read like the user's paths (relative stays relative).
    defaultDir: path.dirname(target),
  };
}

/** Reads, verifies and assembles a trace (the library-level entry of the command). */
export async function traceFromFiles(options: {
  target: TraceTarget;
  attestations: readonly string[];
  cwd: string;
  trust: TrustContext;
  policy?: IdentityPolicy;
  publicKeyPEM?: string;
  rekorURL?: string;
  fetch?: typeof fetch;
  now: Date;
}): Promise<Trace> {
  const raws = await gatherAttestations(options.attestations, { cwd: options.cwd });
  const keyOptions =
    options.publicKeyPEM === undefined ? {} : { publicKeyPEM: options.publicKeyPEM };
  const entries = verifyAttestations(raws, options.trust, options.policy, keyOptions);
  if (options.rekorURL !== undefined && options.target.kind !== 'commit') {
    const logged = await lookupRekor(options.rekorURL, options.target.sha256, {
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const online = rekorAttestations(logged, options.target.sha256, providedEvidence(raws));
    entries.push(
      ...verifyAttestations(online.raws, options.trust, options.policy, keyOptions),
      ...online.missing
    );
  }
  return buildTrace(entries, options.target, { generatedAt: options.now });
}

export function renderTrace(trace: Trace, format: Format): string {
  if (format === 'json') return prettyCanonicalJSON(trace);
  if (format === 'html') return renderTraceHTML(trace);
  return renderTraceMarkdown(trace);
}

/** One line: where the digest runs, what verified it, who built it from what, who wrote it. */
export function traceSummary(trace: Trace): string {
  const errors = [...trace.gaps, ...trace.artifacts.flatMap((a) => a.gaps)].filter(
    (g) => g.severity === 'error'
  ).length;
  const warnings = trace.counts.gaps - errors;
  const trail = trace.artifacts[0];
  if (trail === undefined) return `no artifact traced; ${errors} error gap(s)`;
  const parts: string[] = [trail.names[0] ?? `sha256:${trail.sha256.slice(0, 12)}`];
  const deployment = trail.deployments[0];
  if (deployment !== undefined) parts.push(`deployed to ${deployment.environment}`);
  const vsa = trail.verifications[0];
  if (vsa !== undefined) parts.push(`VSA ${vsa.result ?? '?'}`);
  const build = trail.builds[0];
  if (build?.sourceCommit !== undefined)
    parts.push(`built from ${build.sourceCommit.slice(0, 12)}`);
  const agent = trail.agents[0];
  if (agent !== undefined) {
    parts.push(
      `agent ${agent.agent.name}/${agent.model.name} approved by ${agent.approvers.map((a) => a.login ?? a.id).join(', ') || 'nobody'}`
    );
  }
  return `${parts.join(' · ')} — ${trace.complete ? 'complete' : 'INCOMPLETE'}, ${errors} error gap(s), ${warnings} warning(s)`;
}

function checkRekorURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CustodyError('USAGE_INVALID', '--rekor-url must be an http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CustodyError('USAGE_INVALID', '--rekor-url must be an http(s) URL');
  }
  return value;
}

function identityPolicy(options: TraceOptions): IdentityPolicy {
  if (
    options.certificateIdentity !== undefined &&
    options.certificateIdentityRegexp !== undefined
  ) {
    throw new CustodyError(
      'USAGE_INVALID',
      'give --certificate-identity or --certificate-identity-regexp, not both'
    );
  }
  let san: string | RegExp | undefined = options.certificateIdentity;
  if (options.certificateIdentityRegexp !== undefined) {
    try {
      san = new RegExp(options.certificateIdentityRegexp);
    } catch {
      throw new CustodyError(
        'USAGE_INVALID',
        '--certificate-identity-regexp is not a valid regexp'
      );
    }
  }
  return {
    ...(san === undefined ? { anyIdentity: true } : { subjectAlternativeName: san }),
    ...(options.certificateOidcIssuer === undefined
      ? {}
      : { issuer: options.certificateOidcIssuer }),
  };
}

async function runTrace(
  ctx: CliContext,
  rawTarget: string | undefined,
  options: TraceOptions
): Promise<CommandOutput> {
  const format = formatOf(options);
  const { target, defaultDir } = await resolveTarget(ctx, rawTarget, options.commit);
  const trust = await resolveTrust(ctx, {
    ...(options.trustedRoot === undefined ? {} : { trustedRoot: options.trustedRoot }),
    ...(options.staging === true ? { staging: true } : {}),
  });
  const trace = await traceFromFiles({
    target,
    attestations: options.attestations.length > 0 ? options.attestations : [defaultDir],
    cwd: ctx.cwd,
    trust,
    policy: identityPolicy(options),
    ...(options.rekorUrl === undefined ? {} : { rekorURL: checkRekorURL(options.rekorUrl) }),
    ...(options.key === undefined
      ? {}
      : {
          publicKeyPEM: await readTextLimited(path.resolve(ctx.cwd, options.key), {
            maxBytes: 64 * 1024,
            what: 'public key',
          }),
        }),
    now: resolveBuildTime(ctx.env.SOURCE_DATE_EPOCH, ctx.now()),
  });
  const rendered = renderTrace(trace, format);
  const exitCode = options.strict === true && !trace.complete ? 1 : 0;
  if (options.output !== undefined) {
    await writeFileAtomic(path.resolve(ctx.cwd, options.output), rendered);
    return { text: `${traceSummary(trace)}\n  → ${options.output}`, json: trace, exitCode };
  }
  return { text: rendered.replace(/\n$/, ''), json: trace, exitCode };
}

// ---------------------------------------------------------------- demo step

/**
 * `custody demo`, last step: records a deployment of the main artifact to `production` (relying
 * on the release's verified VSA when an earlier step wrote one), then writes trace.html, trace.md
 * and trace.json of that artifact into the release directory.
 */
export const traceDemoStep: DemoStep = {
  name: 'trace',
  async run(state) {
    let stack = state.facts.get('stack') as LocalSigstoreStack | undefined;
    if (stack === undefined || typeof stack.issueToken !== 'function') {
      // loaded on first use: the stack's mock services are heavy to import
      const { startLocalSigstoreStack } = await import('../../stack/index.js');
      stack = await startLocalSigstoreStack();
      const started = stack;
      state.cleanups.push(() => started.close());
      state.facts.set('stack', started);
    }
    const trust = loadTrustedRoot(stack.trustedRoot);
    const main = state.artifacts.find((name) => name === 'hello-linux-amd64') ?? state.artifacts[0];
    if (main === undefined) {
      throw new CustodyError('TRACE_TARGET_INVALID', 'the demo release has no artifacts to trace');
    }
    const file = path.join(state.outDir, main);
    const sha256 = await digestFile(file, 'sha256');
    const now = resolveBuildTime(state.ctx.env.SOURCE_DATE_EPOCH, state.ctx.now());

    // The VSA the deployment relies on: a verified VSA of the release covering the artifact.
    const raws = await gatherAttestations(['.'], { cwd: state.outDir });
    const vsa = verifyAttestations(raws, trust).find(
      (e): e is VerifiedEntry =>
        e.status === 'verified' &&
        e.statement !== undefined &&
        statementKind(e.statement.predicateType) === 'vsa' &&
        sha256Subjects(e.statement).includes(sha256) &&
        (e.statement.predicate as { verificationResult?: unknown } | undefined)
          ?.verificationResult === 'PASSED'
    );
    const token = stack.issueToken('github', { environment: 'production' });
    registerSecret(token);
    const deployment = buildDeploymentStatement({
      subjects: [{ name: main, digest: { sha256 } }],
      environment: 'production',
      target: {
        uri: 'https://deploy.example.com/acme/hello/production',
        name: 'hello (production)',
      },
      deployedAt: now,
      deployer: {
        id: 'repo:acme/hello:environment:production',
        issuer: 'https://token.actions.githubusercontent.com',
      },
      invocationUri: 'https://github.com/acme/hello/actions/runs/9000000002/attempts/1',
      ...(vsa?.payloadSha256 === undefined
        ? {}
        : {
            verificationSummary: {
              name: path.basename(vsa.source.split('#')[0] ?? vsa.source),
              digest: { sha256: vsa.payloadSha256 },
              mediaType: VSA_MEDIA_TYPE,
            },
            verificationResult: 'PASSED' as const,
          }),
    });
    const bundle = await signStatement(deployment, {
      identity: { kind: 'keyless', token },
      signingConfig: stack.signingConfig,
    });
    const deployments = path.join(state.outDir, 'deployments.intoto.jsonl');
    await appendBundle(deployments, bundle);
    state.log(
      `deployment record: ${main} → production (${vsa === undefined ? 'no verified VSA found: the trace shows the gap' : `relying on VSA ${vsa.source}`}) → deployments.intoto.jsonl`
    );

    const trace = await traceFromFiles({
      target: { kind: 'artifact', sha256, name: main },
      attestations: ['.'],
      cwd: state.outDir,
      trust,
      now,
    });
    await writeFileAtomic(path.join(state.outDir, 'trace.json'), renderTrace(trace, 'json'));
    await writeFileAtomic(path.join(state.outDir, 'trace.md'), renderTrace(trace, 'markdown'));
    await writeFileAtomic(path.join(state.outDir, 'trace.html'), renderTrace(trace, 'html'));
    state.facts.set('trace', { json: 'trace.json', markdown: 'trace.md', html: 'trace.html' });
    state.log(`trace: ${traceSummary(trace)} → trace.html, trace.md, trace.json`);
  },
};
