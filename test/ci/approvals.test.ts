import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementProblems } from '../../src/attest/validate.js';
import { buildAgentProvenance } from '../../src/attest/agent.js';
import { githubApprovalsForCommits } from '../../src/ci/github/reviews.js';
import { gitlabApprovalsForCommits } from '../../src/ci/gitlab/approvals.js';
import { expectCode } from '../helpers/errors.js';
import {
  GITLAB_TOKEN,
  GOOD_TOKEN,
  SHA_A,
  SHA_B,
  SHA_C,
  startApiServer,
  type ApiServer,
} from './api-server.js';

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

const gh = (overrides: Partial<Parameters<typeof githubApprovalsForCommits>[1]> = {}) => ({
  token: GOOD_TOKEN,
  apiUrl: server.url,
  serverUrl: 'https://github.com',
  repository: 'acme/hello',
  ...overrides,
});
const gl = (overrides: Partial<Parameters<typeof gitlabApprovalsForCommits>[1]> = {}) => ({
  token: GITLAB_TOKEN,
  tokenKind: 'private' as const,
  apiUrl: `${server.url}/api/v4`,
  projectId: '48151623',
  ...overrides,
});

describe('GitHub pull-request reviews', () => {
  it('finds the PRs of the commits and the reviewers whose latest deciding review approves, across pages', async () => {
    const approvals = await githubApprovalsForCommits([SHA_B, SHA_A], gh());
    expect(
      approvals.map((a) => [a.changeRequest?.number, a.approver.login, a.timestamp, a.commits])
    ).toEqual([
      [17, 'alice', '2026-11-19T11:10:00Z', [SHA_B, SHA_A].sort()],
      [17, 'octocat', '2026-11-19T12:00:00Z', [SHA_B, SHA_A].sort()],
      [18, 'alice', '2026-11-19T13:00:00Z', [SHA_B]],
    ]);
    const first = approvals[0]!;
    expect(first.approver).toEqual({
      id: 'https://github.com/alice',
      login: 'alice',
      platformId: '1001',
    });
    expect(first.method).toBe('pr-review');
    expect(first.evidence.uri).toBe('https://github.com/acme/hello/pull/17#pullrequestreview-4');
    expect(first.evidence.digest?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // page 2 of the reviews was fetched through the Link header
    expect(
      server.requests.some((r) => r.url.includes('/pulls/17/reviews') && r.url.includes('page=2'))
    ).toBe(true);
    // the approvals fit the agent-provenance schema
    const statement = buildAgentProvenance({
      agent: { name: 'a' },
      model: { name: 'm' },
      commits: [],
      humanApprovals: approvals,
      autonomy: 'assisted',
      artifacts: [{ name: 'x', digest: { sha256: 'a'.repeat(64) } }],
    });
    expect(statementProblems(statement)).toEqual([]);
  });

  it("matches commits to the run's own pull request (from the event payload), across pages", async () => {
    const approvals = await githubApprovalsForCommits([SHA_C], gh({ pullRequest: 19 }));
    expect(approvals.map((a) => [a.changeRequest?.number, a.approver.login, a.commits])).toEqual([
      [19, 'carol', [SHA_C]],
    ]);
    // without the run's pull request, nothing links SHA_C to a review
    expect(await githubApprovalsForCommits([SHA_C], gh())).toEqual([]);
    expect(
      server.requests.some((r) => r.url.includes('/pulls/19/commits') && r.url.includes('page=2'))
    ).toBe(true);
  });

  it('maps 401, 404, 500 and malformed answers to codes', async () => {
    await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ token: 'ghs_wrongToken000000000000' })),
      'CI_API_UNAUTHORIZED'
    );
    await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ repository: 'acme/missing' })),
      'CI_API_NOT_FOUND'
    );
    await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ repository: 'acme/broken' })),
      'CI_API_FAILED'
    );
    await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ repository: 'acme/garbage' })),
      'CI_API_FAILED'
    );
    await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ apiUrl: 'http://127.0.0.1:9' })),
      'CI_API_FAILED'
    );
    const error = await expectCode(
      () => githubApprovalsForCommits([SHA_A], gh({ token: 'ghs_wrongToken000000000000' })),
      'CI_API_UNAUTHORIZED'
    );
    expect(error.message).not.toContain('ghs_wrongToken');
  });
});

describe('GitLab merge-request approvals', () => {
  it('follows x-next-page and leaves out bots and the MR author', async () => {
    const approvals = await gitlabApprovalsForCommits([SHA_A, SHA_B], gl());
    expect(
      approvals.map((a) => [a.changeRequest?.number, a.approver.login, a.timestamp, a.commits])
    ).toEqual([[23, 'jdoe', '2026-11-19T15:00:00Z', [SHA_B, SHA_A].sort()]]);
    expect(approvals[0]!.approver.id).toBe('https://gitlab.com/jdoe');
    expect(approvals[0]!.method).toBe('mr-approval');
    expect(
      server.requests.some((r) => r.url.includes(`${SHA_B}/merge_requests?per_page=100&page=2`))
    ).toBe(true);
    expect(server.requests.some((r) => r.url.endsWith('/merge_requests/24/approvals'))).toBe(true);
  });

  it('sends CI_JOB_TOKEN as JOB-TOKEN', async () => {
    const approvals = await gitlabApprovalsForCommits([SHA_A], gl({ tokenKind: 'job' }));
    expect(approvals).toHaveLength(1);
  });

  it('maps 401, 404, 5xx, runaway pagination and bad ids to codes', async () => {
    await expectCode(
      () => gitlabApprovalsForCommits([SHA_A], gl({ token: 'glpat-wrong-token-000000' })),
      'CI_API_UNAUTHORIZED'
    );
    await expectCode(
      () => gitlabApprovalsForCommits([SHA_A], gl({ projectId: '404' })),
      'CI_API_NOT_FOUND'
    );
    await expectCode(
      () => gitlabApprovalsForCommits([SHA_A], gl({ projectId: '500' })),
      'CI_API_FAILED'
    );
    await expectCode(
      () => gitlabApprovalsForCommits([SHA_A], gl({ projectId: '777', maxPages: 3 })),
      'CI_API_FAILED'
    );
    await expectCode(
      () => gitlabApprovalsForCommits([SHA_A], gl({ projectId: '../x' })),
      'CI_CONTEXT_INCOMPLETE'
    );
    await expectCode(() => gitlabApprovalsForCommits(['HEAD'], gl()), 'ATTEST_AGENT_INPUT_INVALID');
  });
});
