// buildTrace: the pure core of `custody trace`. Takes attestations the adapter has read and
// verified (or failed to verify) and assembles, per artifact digest, the chain
// deployment → artifact → build → source/agent → SBOM → verification summaries. Facts come only
// from verified entries; failed, unsigned or missing links become gaps with a stable code.
import { AGENT_PROVENANCE_MEDIA_TYPE } from '../attest/link.js';
import type { InTotoStatement, ResourceDescriptor } from '../attest/intoto.js';
import { toRFC3339 } from '../util/time.js';
import { provenanceFacts } from '../verify/provenance-facts.js';
import { DEPLOYMENT_PREDICATE_TYPE } from './deployment.js';
import {
  TRACE_VERSION,
  type AgentLink,
  type ArtifactTrail,
  type AttestationRef,
  type AttestationSummary,
  type BuildLink,
  type DeploymentLink,
  type FailedEntry,
  type Gap,
  type SbomLink,
  type TimelineEvent,
  type Trace,
  type TraceTarget,
  type VerificationLink,
  type VerifiedAttestation,
  type VerifiedEntry,
} from './types.js';
import { asObject as obj, asString as str, asArray as list } from '../util/json.js';

export type StatementKind = 'provenance' | 'agent' | 'sbom' | 'vsa' | 'deployment' | 'other';

type Json = Record<string, unknown>;

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function statementKind(predicateType: string | undefined): StatementKind {
  if (predicateType === undefined) return 'other';
  if (predicateType.startsWith('https://slsa.dev/provenance/')) return 'provenance';
  if (predicateType.startsWith('https://custody.dev/agent-provenance/')) return 'agent';
  if (predicateType.startsWith('https://cyclonedx.org/bom')) return 'sbom';
  if (predicateType.startsWith('https://spdx.dev/Document')) return 'sbom';
  if (predicateType.startsWith('https://slsa.dev/verification_summary/')) return 'vsa';
  if (predicateType.startsWith('https://custody.dev/deployment/')) return 'deployment';
  return 'other';
}

const LINK_OF: Record<StatementKind, Gap['link']> = {
  provenance: 'build',
  agent: 'agent',
  sbom: 'sbom',
  vsa: 'verification',
  deployment: 'deployment',
  other: 'input',
};

/** The sha256 subject digests of a statement (lower-case hex). */
export function sha256Subjects(statement: InTotoStatement): string[] {
  return statement.subject
    .map((s) => s.digest?.sha256?.toLowerCase())
    .filter((d): d is string => d !== undefined);
}

function commitSubjects(statement: InTotoStatement): string[] {
  const fromSubjects = statement.subject.map((s) => s.digest?.gitCommit);
  const changes = list(obj(statement.predicate)?.changes).map(
    (c) => obj(obj(c)?.digest)?.gitCommit
  );
  return [...fromSubjects, ...changes]
    .filter((c): c is string => typeof c === 'string')
    .map((c) => c.toLowerCase());
}

function refOf(entry: VerifiedEntry): AttestationRef {
  return {
    source: entry.source,
    ...optional('predicateType', entry.statement?.predicateType),
    ...optional('payloadSha256', entry.payloadSha256),
    signer: {
      kind: entry.signer.kind,
      identity: entry.signer.identity,
      ...optional('issuer', entry.signer.issuer),
    },
    ...optional('signedAt', entry.signedAt),
  };
}

/** Drops repeated copies of one signed statement (the same bundle in a .jsonl and a .sigstore.json). */
function dedupe(entries: readonly VerifiedEntry[]): VerifiedEntry[] {
  const seen = new Set<string>();
  const out: VerifiedEntry[] = [];
  for (const entry of entries) {
    const key =
      entry.payloadSha256 !== undefined
        ? `dsse:${entry.payloadSha256}:${entry.signer.identity}`
        : `msg:${entry.messageDigest?.hex ?? ''}:${entry.signer.identity}:${entry.signedAt ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out;
}

export interface BuildTraceOptions {
  /** When the trace is made (SOURCE_DATE_EPOCH-aware clock). */
  generatedAt: Date;
}

export function buildTrace(
  entries: readonly VerifiedAttestation[],
  target: TraceTarget,
  options: BuildTraceOptions
): Trace {
  const sorted = [...entries].sort((a, b) => compare(a.source, b.source));
  const verified = dedupe(sorted.filter((e): e is VerifiedEntry => e.status === 'verified'));
  const failed = sorted.filter((e): e is FailedEntry => e.status !== 'verified');
  const statements = verified.filter(
    (e): e is VerifiedEntry & { statement: InTotoStatement } => e.statement !== undefined
  );

  const topGaps: Gap[] = [];
  let digests: string[];
  if (target.kind === 'commit') {
    const commit = target.commit.toLowerCase();
    const built = new Set<string>();
    for (const entry of statements) {
      const kind = statementKind(entry.statement.predicateType);
      if (kind === 'provenance' && buildCommits(entry).includes(commit)) {
        for (const d of sha256Subjects(entry.statement)) built.add(d);
      }
      if (kind === 'agent' && commitSubjects(entry.statement).includes(commit)) {
        for (const d of sha256Subjects(entry.statement)) built.add(d);
      }
    }
    digests = [...built].sort(compare);
    if (digests.length === 0) {
      topGaps.push({
        code: 'COMMIT_NOT_BUILT',
        severity: 'error',
        link: 'source',
        message: `no verified provenance or agent provenance names commit ${commit}: nothing is known to be built from it`,
      });
    }
  } else {
    digests = [target.sha256.toLowerCase()];
  }

  const artifacts = digests.map((digest) => trailOf(digest, target, verified, statements, failed));

  const relevantSources = new Set<string>();
  for (const trail of artifacts) {
    for (const ref of trailRefs(trail)) relevantSources.add(ref);
    for (const gap of trail.gaps)
      if (gap.attestation !== undefined) relevantSources.add(gap.attestation);
  }
  const digestSet = new Set(digests);
  for (const entry of failed) {
    if (entry.claimedSubjects.some((d) => digestSet.has(d))) continue;
    if (entry.status === 'unreadable' || entry.claimedSubjects.length === 0) {
      topGaps.push({
        code: entry.status === 'unreadable' ? 'ATTESTATION_UNREADABLE' : 'ATTESTATION_UNVERIFIED',
        severity: 'warning',
        link: 'input',
        message: `${entry.source} could not be used, and it is unknown which artifact it concerns: ${entry.reason.message}`,
        attestation: entry.source,
        reason: entry.reason.code,
      });
      relevantSources.add(entry.source);
    }
  }

  const attestations: AttestationSummary[] = sorted.map((entry) =>
    entry.status === 'verified'
      ? {
          source: entry.source,
          status: 'verified',
          ...optional(
            'predicateType',
            entry.statement?.predicateType ??
              (entry.kind === 'message-signature' ? 'message-signature' : undefined)
          ),
          relevant: relevantSources.has(entry.source),
          signer: entry.signer.identity,
        }
      : {
          source: entry.source,
          status: entry.status,
          ...optional('predicateType', entry.claimedPredicateType),
          relevant:
            relevantSources.has(entry.source) ||
            entry.claimedSubjects.some((d) => digestSet.has(d)),
          reason: entry.reason,
        }
  );
  const allGaps = [...topGaps, ...artifacts.flatMap((a) => a.gaps)];
  const relevant = attestations.filter((a) => a.relevant).length;
  return {
    traceVersion: TRACE_VERSION,
    generatedAt: toRFC3339(options.generatedAt),
    target,
    complete: allGaps.every((g) => g.severity !== 'error'),
    artifacts,
    gaps: topGaps,
    timeline: timelineOf(artifacts),
    attestations,
    counts: {
      considered: attestations.length,
      verified: attestations.filter((a) => a.status === 'verified').length,
      relevant,
      ignored: attestations.length - relevant,
      gaps: allGaps.length,
    },
  };
}

function trailRefs(trail: ArtifactTrail): string[] {
  return [
    ...trail.signatures.map((s) => s.attestation.source),
    ...trail.deployments.map((s) => s.attestation.source),
    ...trail.builds.map((s) => s.attestation.source),
    ...trail.agents.map((s) => s.attestation.source),
    ...trail.sboms.map((s) => s.attestation.source),
    ...trail.verifications.map((s) => s.attestation.source),
  ];
}

/** Commits a provenance entry says it built from: the provenance source and the certificate's. */
function buildCommits(entry: VerifiedEntry & { statement: InTotoStatement }): string[] {
  const facts = provenanceFacts(entry.statement.predicateType, entry.statement.predicate);
  return [facts.sourceCommit, entry.signer.extensions?.sourceRepositoryDigest]
    .filter((c): c is string => c !== undefined)
    .map((c) => c.toLowerCase());
}

function trailOf(
  digest: string,
  target: TraceTarget,
  verified: readonly VerifiedEntry[],
  statements: readonly (VerifiedEntry & { statement: InTotoStatement })[],
  failed: readonly FailedEntry[]
): ArtifactTrail {
  const gaps: Gap[] = [];
  const names = new Set<string>();
  if (target.kind === 'artifact' && target.name !== undefined) names.add(target.name);
  const about = statements.filter((e) => sha256Subjects(e.statement).includes(digest));
  for (const entry of about) {
    for (const subject of entry.statement.subject) {
      if (subject.digest?.sha256?.toLowerCase() === digest && subject.name !== undefined) {
        names.add(subject.name);
      }
    }
  }
  const byKind = (kind: StatementKind): (VerifiedEntry & { statement: InTotoStatement })[] =>
    about.filter((e) => statementKind(e.statement.predicateType) === kind);
  const byPayload = new Map(
    statements
      .filter((e) => e.payloadSha256 !== undefined)
      .map((e) => [e.payloadSha256 ?? '', e] as const)
  );

  // Failed or unsigned attestations claiming this artifact: gaps, never facts.
  for (const entry of failed) {
    if (!entry.claimedSubjects.includes(digest)) continue;
    const kind = statementKind(entry.claimedPredicateType);
    if (entry.reason.code === 'ATTESTATION_NOT_PROVIDED') {
      gaps.push({
        code: 'ATTESTATION_NOT_PROVIDED',
        severity: 'error',
        link: 'input',
        message: entry.reason.message,
        attestation: entry.source,
      });
      continue;
    }
    gaps.push({
      code: entry.status === 'unsigned' ? 'ATTESTATION_UNSIGNED' : 'ATTESTATION_UNVERIFIED',
      severity: 'error',
      link: entry.claimedPredicateType === 'message-signature' ? 'signature' : LINK_OF[kind],
      message:
        entry.status === 'unsigned'
          ? `${entry.source} is an unsigned ${kind === 'other' ? 'statement' : kind} statement: not used as evidence`
          : `${entry.source} (${entry.claimedPredicateType === 'message-signature' ? 'signature' : kind === 'other' ? 'attestation' : kind}) failed verification: ${entry.reason.message}`,
      attestation: entry.source,
      reason: entry.reason.code,
    });
  }

  const signatures = verified
    .filter(
      (e) =>
        e.kind === 'message-signature' &&
        e.messageDigest?.algorithm === 'sha256' &&
        e.messageDigest.hex.toLowerCase() === digest
    )
    .map((e) => ({ attestation: refOf(e) }));
  if (signatures.length === 0) {
    gaps.push({
      code: 'SIGNATURE_MISSING',
      severity: 'warning',
      link: 'signature',
      message: 'no verified Sigstore signature of the artifact itself (<artifact>.sigstore.json)',
    });
  }

  // Build
  const builds = byKind('provenance').map((entry) => buildOf(entry, byPayload));
  if (builds.length === 0) {
    gaps.push({
      code: 'PROVENANCE_MISSING',
      severity: 'error',
      link: 'build',
      message:
        'no verified SLSA provenance for this digest: who built it, from which commit, is unknown',
    });
  }
  for (const build of builds) {
    if (build.sourceCommit === undefined) {
      gaps.push({
        code: 'PROVENANCE_SOURCE_MISSING',
        severity: 'error',
        link: 'source',
        message: 'the provenance names no source commit',
        attestation: build.attestation.source,
      });
    }
    const certCommit = build.certificate?.sourceRepositoryDigest?.toLowerCase();
    if (
      certCommit !== undefined &&
      build.sourceCommit !== undefined &&
      certCommit !== build.sourceCommit
    ) {
      gaps.push({
        code: 'PROVENANCE_CERTIFICATE_DISAGREE',
        severity: 'error',
        link: 'source',
        message: `the provenance says commit ${build.sourceCommit}, the signing certificate says ${certCommit}`,
        attestation: build.attestation.source,
      });
    }
    for (const byproduct of build.byproducts) {
      if (!byproduct.found) {
        gaps.push({
          code: 'BYPRODUCT_NOT_FOUND',
          severity: 'error',
          link: byproduct.mediaType === AGENT_PROVENANCE_MEDIA_TYPE ? 'agent' : 'build',
          message: `the provenance links ${byproduct.name ?? 'an attestation'} sha256:${byproduct.sha256}, but no verified attestation has that digest`,
          attestation: build.attestation.source,
        });
      }
    }
  }

  // Agent provenance: statements about this artifact, or linked from its provenance by digest.
  const agentEntries = new Map<string, VerifiedEntry & { statement: InTotoStatement }>();
  for (const entry of byKind('agent')) agentEntries.set(entry.source, entry);
  for (const build of builds) {
    for (const byproduct of build.byproducts) {
      const linked = byPayload.get(byproduct.sha256);
      if (linked !== undefined && statementKind(linked.statement.predicateType) === 'agent') {
        agentEntries.set(linked.source, linked);
      }
    }
  }
  const agents = [...agentEntries.values()]
    .sort((a, b) => compare(a.source, b.source))
    .map(agentOf);
  if (agents.length === 0) {
    const claimed = builds.some((b) =>
      b.byproducts.some((p) => p.mediaType === AGENT_PROVENANCE_MEDIA_TYPE)
    );
    gaps.push({
      code: 'AGENT_PROVENANCE_MISSING',
      severity: claimed ? 'error' : 'warning',
      link: 'agent',
      message: claimed
        ? 'the provenance links agent provenance, but none verified'
        : 'no agent provenance: whether an AI agent authored the source, and who approved it, is not recorded',
    });
  }
  for (const agent of agents) {
    if (agent.approvers.length === 0) {
      gaps.push({
        code: 'AGENT_APPROVAL_MISSING',
        severity: 'error',
        link: 'agent',
        message: `agent provenance by ${agent.agent.name} records no human approval`,
        attestation: agent.attestation.source,
      });
    }
  }

  const sboms = byKind('sbom').map(sbomOf);
  if (sboms.length === 0) {
    gaps.push({
      code: 'SBOM_MISSING',
      severity: 'warning',
      link: 'sbom',
      message: 'no verified SBOM attestation for this digest',
    });
  }

  const verifications = byKind('vsa').map(verificationOf);
  if (verifications.length === 0) {
    gaps.push({
      code: 'VSA_MISSING',
      severity: 'warning',
      link: 'verification',
      message: 'no verified verification summary (VSA) for this digest',
    });
  }
  for (const vsa of verifications) {
    if (vsa.result !== 'PASSED') {
      gaps.push({
        code: 'VSA_FAILED',
        severity: 'error',
        link: 'verification',
        message: `the verification summary says ${vsa.result ?? 'nothing'} (not PASSED)`,
        attestation: vsa.attestation.source,
      });
    }
  }

  const vsaByPayload = new Map(
    byKind('vsa').map((e) => [e.payloadSha256 ?? '', verificationOf(e)] as const)
  );
  const deployments: DeploymentLink[] = [];
  for (const entry of byKind('deployment')) {
    const deployment = deploymentOf(entry, vsaByPayload);
    if (deployment !== undefined) {
      deployments.push(deployment);
      continue;
    }
    // Signed, but not a record custody can read (another version, or fields missing): say so.
    gaps.push({
      code: 'DEPLOYMENT_RECORD_INVALID',
      severity: 'error',
      link: 'deployment',
      message: `the deployment record needs environment, target.uri and deployedAt (${DEPLOYMENT_PREDICATE_TYPE}); this one (${entry.statement.predicateType}) lacks them`,
      attestation: entry.source,
    });
  }
  if (deployments.length === 0) {
    gaps.push({
      code: 'DEPLOYMENT_MISSING',
      severity: 'warning',
      link: 'deployment',
      message: 'no verified deployment record: where this digest runs is not recorded',
    });
  }
  for (const deployment of deployments) {
    if (deployment.verificationSummary === undefined) {
      gaps.push({
        code: 'DEPLOYMENT_VSA_MISSING',
        severity: 'error',
        link: 'deployment',
        message: `the deployment to ${deployment.environment} names no verification summary it relied on`,
        attestation: deployment.attestation.source,
      });
    } else if (!deployment.verificationSummary.found) {
      gaps.push({
        code: 'DEPLOYMENT_VSA_NOT_FOUND',
        severity: 'error',
        link: 'deployment',
        message: `the deployment to ${deployment.environment} relied on VSA sha256:${deployment.verificationSummary.sha256}, which is not among the verified VSAs of this digest`,
        attestation: deployment.attestation.source,
      });
    }
  }

  return {
    sha256: digest,
    names: [...names].sort(compare),
    signatures,
    deployments: deployments.sort((a, b) => compare(a.deployedAt, b.deployedAt)),
    builds,
    agents,
    sboms,
    verifications,
    gaps,
  };
}

function buildOf(
  entry: VerifiedEntry & { statement: InTotoStatement },
  byPayload: ReadonlyMap<string, VerifiedEntry>
): BuildLink {
  const facts = provenanceFacts(entry.statement.predicateType, entry.statement.predicate);
  const predicate = obj(entry.statement.predicate) ?? {};
  const run = obj(predicate.runDetails) ?? {};
  const metadata = obj(run.metadata) ?? {};
  const ext = entry.signer.extensions ?? {};
  const certificate = {
    ...optional('buildSignerURI', ext.buildSignerURI),
    ...optional('runInvocationURI', ext.runInvocationURI),
    ...optional('sourceRepositoryURI', ext.sourceRepositoryURI),
    ...optional('sourceRepositoryRef', ext.sourceRepositoryRef),
    ...optional('sourceRepositoryDigest', ext.sourceRepositoryDigest),
    ...optional('buildTrigger', ext.buildTrigger),
    ...optional('runnerEnvironment', ext.runnerEnvironment),
  };
  const invocationId = str(metadata.invocationId);
  const runUrl =
    ext.runInvocationURI ??
    (invocationId !== undefined && /^https?:\/\//.test(invocationId) ? invocationId : undefined);
  const byproducts = list(run.byproducts)
    .map((b) => obj(b) as ResourceDescriptor | undefined)
    .filter((b): b is ResourceDescriptor => b?.digest?.sha256 !== undefined)
    .map((b) => ({
      ...optional('name', b.name),
      sha256: (b.digest?.sha256 ?? '').toLowerCase(),
      ...optional('mediaType', b.mediaType),
      found: byPayload.has((b.digest?.sha256 ?? '').toLowerCase()),
    }));
  return {
    ...optional('builderId', facts.builderId),
    ...optional('buildType', facts.buildType),
    ...optional('workflow', facts.workflow),
    ...optional('runUrl', runUrl),
    ...optional('sourceRepository', facts.sourceRepository ?? ext.sourceRepositoryURI),
    ...optional('sourceRef', facts.sourceRef ?? ext.sourceRepositoryRef),
    ...optional('sourceCommit', (facts.sourceCommit ?? ext.sourceRepositoryDigest)?.toLowerCase()),
    ...optional('runnerEnvironment', facts.runnerEnvironment ?? ext.runnerEnvironment),
    ...optional('startedOn', str(metadata.startedOn)),
    ...optional('finishedOn', str(metadata.finishedOn)),
    ...(Object.keys(certificate).length === 0 ? {} : { certificate }),
    byproducts,
    attestation: refOf(entry),
  };
}

function agentOf(entry: VerifiedEntry & { statement: InTotoStatement }): AgentLink {
  const p = obj(entry.statement.predicate) ?? {};
  const agent = obj(p.agent) ?? {};
  const model = obj(p.model) ?? {};
  const prompt = obj(p.prompt);
  const plan = obj(p.plan);
  const session = obj(p.session);
  const approvers = list(p.humanApprovals)
    .map(obj)
    .filter((a): a is Json => a !== undefined)
    .map((a) => {
      const approver = obj(a.approver) ?? {};
      return {
        id: str(approver.id) ?? '(unnamed)',
        ...optional('login', str(approver.login)),
        ...optional('method', str(a.method)),
        ...optional('timestamp', str(a.timestamp)),
        ...optional('evidence', str(obj(a.evidence)?.uri)),
      };
    });
  const commits = list(p.changes)
    .map(obj)
    .filter((c): c is Json => c !== undefined)
    .map((c) => ({
      sha: str(obj(c.digest)?.gitCommit) ?? '',
      ...optional('authorDate', str(obj(c.annotations)?.authorDate)),
    }))
    .filter((c) => c.sha !== '')
    .sort((a, b) => compare(a.sha, b.sha));
  const promptDigest = str(obj(prompt?.digest)?.sha256);
  return {
    agent: {
      name: str(agent.name) ?? '(unnamed)',
      ...optional('version', str(agent.version)),
      ...optional('id', str(agent.id)),
    },
    model: {
      name: str(model.name) ?? '(unnamed)',
      ...optional('provider', str(model.provider)),
      ...optional('version', str(model.version)),
    },
    ...(promptDigest === undefined
      ? {}
      : {
          prompt: {
            digest: `sha256:${promptDigest}`,
            ...optional('commitment', str(prompt?.commitment)),
          },
        }),
    ...(plan === undefined
      ? {}
      : {
          plan: {
            ...optional('id', str(plan.id)),
            ...optional('uri', str(plan.uri)),
            ...optional('sha256', str(obj(plan.digest)?.sha256)),
          },
        }),
    ...(session === undefined
      ? {}
      : {
          session: {
            ...optional('id', str(session.id)),
            ...optional('startedOn', str(session.startedOn)),
            ...optional('finishedOn', str(session.finishedOn)),
            ...optional('invocationUri', str(session.invocationUri)),
          },
        }),
    ...optional('autonomy', str(p.autonomy)),
    approvers,
    commits,
    attestation: refOf(entry),
  };
}

function sbomOf(entry: VerifiedEntry & { statement: InTotoStatement }): SbomLink {
  const bom = obj(entry.statement.predicate) ?? {};
  let count = 0;
  const licenses = new Set<string>();
  // Components nest (components[].components[]); walk them iteratively with a bound.
  const stack: unknown[] = [...list(bom.components)];
  while (stack.length > 0 && count < 10_000_000) {
    const component = obj(stack.pop());
    if (component === undefined) continue;
    count += 1;
    for (const choice of list(component.licenses)) {
      const c = obj(choice) ?? {};
      const license = obj(c.license);
      const name = str(c.expression) ?? str(license?.id) ?? str(license?.name);
      if (name !== undefined) licenses.add(name);
    }
    stack.push(...list(component.components));
  }
  return {
    ...optional('specVersion', str(bom.specVersion)),
    ...optional('serialNumber', str(bom.serialNumber)),
    componentCount: count,
    licenses: [...licenses].sort(compare),
    attestation: refOf(entry),
  };
}

function verificationOf(entry: VerifiedEntry & { statement: InTotoStatement }): VerificationLink {
  const p = obj(entry.statement.predicate) ?? {};
  return {
    ...optional('verifier', str(obj(p.verifier)?.id)),
    ...optional('result', str(p.verificationResult)),
    verifiedLevels: list(p.verifiedLevels)
      .filter((l): l is string => typeof l === 'string')
      .sort(compare),
    ...optional('timeVerified', str(p.timeVerified)),
    ...optional('policy', str(obj(p.policy)?.uri)),
    ...optional('resourceUri', str(p.resourceUri)),
    attestation: refOf(entry),
  };
}

function deploymentOf(
  entry: VerifiedEntry & { statement: InTotoStatement },
  vsaByPayload: ReadonlyMap<string, VerificationLink>
): DeploymentLink | undefined {
  const p = obj(entry.statement.predicate) ?? {};
  const environment = str(p.environment);
  const target = obj(p.target);
  const uri = str(target?.uri);
  const deployedAt = str(p.deployedAt);
  if (environment === undefined || uri === undefined || deployedAt === undefined) return undefined;
  const deployer = obj(p.deployer);
  const vsa = obj(p.verificationSummary);
  const vsaDigest = str(obj(vsa?.digest)?.sha256)?.toLowerCase();
  const found = vsaDigest === undefined ? undefined : vsaByPayload.get(vsaDigest);
  return {
    environment,
    target: { uri, ...optional('name', str(target?.name)) },
    deployedAt,
    ...(str(deployer?.id) === undefined
      ? {}
      : {
          deployer: {
            id: str(deployer?.id) ?? '',
            ...optional('issuer', str(deployer?.issuer)),
          },
        }),
    ...optional('invocationUri', str(p.invocationUri)),
    ...(vsaDigest === undefined
      ? {}
      : {
          verificationSummary: {
            sha256: vsaDigest,
            ...optional('name', str(vsa?.name)),
            found: found !== undefined,
            ...optional('result', found?.result),
          },
        }),
    attestation: refOf(entry),
  };
}

function timelineOf(artifacts: readonly ArtifactTrail[]): TimelineEvent[] {
  const events = new Map<string, TimelineEvent>();
  const add = (event: TimelineEvent): void => {
    if (Number.isNaN(Date.parse(event.time))) return;
    events.set(`${event.time}\u0000${event.kind}\u0000${event.label}`, event);
  };
  const short = (sha: string): string => sha.slice(0, 12);
  for (const trail of artifacts) {
    const artifact = trail.names[0] ?? `sha256:${short(trail.sha256)}`;
    for (const agent of trail.agents) {
      for (const commit of agent.commits) {
        if (commit.authorDate !== undefined) {
          add({
            time: commit.authorDate,
            kind: 'commit',
            label: `commit ${short(commit.sha)} by ${agent.agent.name} (${agent.model.name})`,
          });
        }
      }
      if (agent.session?.startedOn !== undefined) {
        add({
          time: agent.session.startedOn,
          kind: 'agent',
          label: `agent session started (${agent.agent.name})`,
        });
      }
      if (agent.session?.finishedOn !== undefined) {
        add({
          time: agent.session.finishedOn,
          kind: 'agent',
          label: `agent session finished (${agent.agent.name})`,
        });
      }
      for (const approver of agent.approvers) {
        if (approver.timestamp !== undefined) {
          add({
            time: approver.timestamp,
            kind: 'approval',
            label: `approved by ${approver.login ?? approver.id}${approver.method === undefined ? '' : ` (${approver.method})`}`,
          });
        }
      }
    }
    for (const build of trail.builds) {
      const time = build.startedOn ?? build.attestation.signedAt;
      if (time !== undefined) {
        add({
          time,
          kind: 'build',
          label: `build${build.sourceCommit === undefined ? '' : ` of ${short(build.sourceCommit)}`} by ${build.builderId ?? 'unknown builder'}`,
          artifact,
        });
      }
    }
    for (const signature of trail.signatures) {
      if (signature.attestation.signedAt !== undefined) {
        add({
          time: signature.attestation.signedAt,
          kind: 'signature',
          label: `artifact signed by ${signature.attestation.signer.identity}`,
          artifact,
        });
      }
    }
    for (const sbom of trail.sboms) {
      if (sbom.attestation.signedAt !== undefined) {
        add({
          time: sbom.attestation.signedAt,
          kind: 'sbom',
          label: `SBOM attested (${sbom.componentCount} components)`,
          artifact,
        });
      }
    }
    for (const vsa of trail.verifications) {
      const time = vsa.timeVerified ?? vsa.attestation.signedAt;
      if (time !== undefined) {
        add({
          time,
          kind: 'verification',
          label: `verification ${vsa.result ?? 'unknown'}`,
          artifact,
        });
      }
    }
    for (const deployment of trail.deployments) {
      add({
        time: deployment.deployedAt,
        kind: 'deployment',
        label: `deployed to ${deployment.environment} (${deployment.target.uri})`,
        artifact,
      });
    }
  }
  return [...events.values()].sort(
    (a, b) =>
      Date.parse(a.time) - Date.parse(b.time) ||
      compare(a.kind, b.kind) ||
      compare(a.label, b.label)
  );
}
