// Human approvals of agent work, counted per agent commit. One human counts once, however the
// approval spells them (case, trailing slash, the same numeric platform id under another login),
// and an approval counts only for the commits it records covering (a review at commit A does not
// approve commits pushed after it). An approval that records no commit list is taken to cover
// every commit of its attestation (older records, GitLab approvals of the whole merge request).
import { matchesAnyGlob } from '../policy/match.js';
import { asObject as obj } from '../util/json.js';

export interface ApprovalView {
  /** The approver id as written. */
  id: string;
  /** Normalised: lower case, no trailing slash. */
  key: string;
  platformId?: string;
  /** Commits this approval covers (lower-case SHAs); undefined: the whole attestation. */
  commits?: string[];
}

export function normalizeApproverId(id: string): string {
  return id.trim().replace(/\/+$/, '').toLowerCase();
}

export function approvalsOf(predicate: unknown): ApprovalView[] {
  const p = obj(predicate) ?? {};
  return (Array.isArray(p.humanApprovals) ? p.humanApprovals : []).flatMap((raw) => {
    const a = obj(raw);
    const approver = obj(a?.approver);
    const id = approver?.id;
    if (typeof id !== 'string' || id.trim() === '') return [];
    const platformId = approver?.platformId;
    const commits = Array.isArray(a?.commits)
      ? a.commits.filter((c): c is string => typeof c === 'string').map((c) => c.toLowerCase())
      : undefined;
    return [
      {
        id,
        key: normalizeApproverId(id),
        ...(typeof platformId === 'string' && platformId !== '' ? { platformId } : {}),
        ...(commits === undefined ? {} : { commits }),
      },
    ];
  });
}

/** One identity per human: approvals sharing a normalised id or a platform id are the same person. */
function humanKeys(approvals: readonly ApprovalView[]): Map<ApprovalView, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) ?? root;
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const a of approvals) {
    parent.set(`id:${a.key}`, parent.get(`id:${a.key}`) ?? `id:${a.key}`);
    if (a.platformId !== undefined) {
      const host = /^https?:\/\/([^/]+)/.exec(a.key)?.[1] ?? '';
      const pid = `pid:${host}:${a.platformId}`;
      parent.set(pid, parent.get(pid) ?? pid);
      union(`id:${a.key}`, pid);
    }
  }
  return new Map(approvals.map((a) => [a, find(`id:${a.key}`)]));
}

/**
 * Problems with the approvals of one agent attestation: every agent commit needs `min` distinct
 * allowed humans (not the agent itself) whose approvals cover it.
 */
export function approvalProblems(input: {
  approvals: readonly ApprovalView[];
  commits: readonly string[];
  agentIds: readonly string[];
  allowedApprovers: readonly string[];
  min: number;
}): string[] {
  const agents = new Set(input.agentIds.map(normalizeApproverId));
  const eligible = input.approvals.filter(
    (a) =>
      !agents.has(a.key) &&
      (matchesAnyGlob(a.id, input.allowedApprovers) ||
        matchesAnyGlob(a.key, input.allowedApprovers))
  );
  const keys = humanKeys(eligible);
  const count = (commit: string | undefined): number =>
    new Set(
      eligible
        .filter(
          (a) => commit === undefined || a.commits === undefined || a.commits.includes(commit)
        )
        .map((a) => keys.get(a))
    ).size;
  if (input.commits.length === 0) {
    const n = count(undefined);
    return n >= input.min ? [] : [`${n} approval(s) from allowed humans, need ${input.min}`];
  }
  const short = input.commits
    .map((c) => ({ c, n: count(c.toLowerCase()) }))
    .filter(({ n }) => n < input.min);
  return short.map(
    ({ c, n }) =>
      `agent commit ${c.slice(0, 12)} is covered by ${n} approval(s) from allowed humans, need ${input.min}`
  );
}
