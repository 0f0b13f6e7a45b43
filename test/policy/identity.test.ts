// The one signer rule and matcher (src/policy/identity.ts): every pin has a pass and a reject.
import { describe, expect, it } from 'vitest';
import {
  applyPolicyFlags,
  flagOnlyPolicy,
  fullMatch,
  isSharedBuilder,
  matchSignerRules,
  parseWorkflowPin,
  signerRuleFromFlags,
  signerRuleMismatch,
  workflowPinMatches,
  type SigningIdentity,
} from '../../src/policy/index.js';
import { expectCode } from '../helpers/errors.js';

const ISSUER = 'https://token.actions.githubusercontent.com';

function github(
  repository: string,
  workflowRef: string,
  extra: Record<string, string> = {}
): SigningIdentity {
  const signer = `https://github.com/${workflowRef}`;
  return {
    subjectAlternativeName: signer,
    issuer: ISSUER,
    extensions: {
      issuer: ISSUER,
      buildSignerURI: signer,
      sourceRepositoryURI: `https://github.com/${repository}`,
      sourceRepositoryOwnerURI: `https://github.com/${repository.split('/')[0] ?? ''}`,
      sourceRepositoryRef: 'refs/tags/v1.0.0',
      ...extra,
    },
  };
}

const OWN = github('acme/app', 'acme/app/.github/workflows/release.yml@refs/tags/v1.0.0');
const SHARED = github(
  'acme/app',
  'custody-dev/custody/.github/workflows/release.yml@refs/tags/v0.1.0'
);
const SHARED_EVIL = github(
  'evil/app',
  'custody-dev/custody/.github/workflows/release.yml@refs/tags/v0.1.0'
);

describe('regular expressions match the whole value', () => {
  it('an unanchored pattern no longer matches a longer identity (cosign would)', () => {
    const re = fullMatch('https://github.com/acme/app/.*', 'x');
    expect(re.test('https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1')).toBe(true);
    expect(re.test('https://github.com/evil/x?https://github.com/acme/app/')).toBe(false);
  });

  it('A|B means (A|B) as a whole, not ^A or B$', () => {
    const re = fullMatch('a|b', 'x');
    expect(re.test('a')).toBe(true);
    expect(re.test('b')).toBe(true);
    expect(re.test('a-evil')).toBe(false);
    expect(re.test('evil-b')).toBe(false);
  });

  it('an already anchored pattern means the same', () => {
    expect(fullMatch('^abc$', 'x').test('abc')).toBe(true);
    expect(fullMatch('^abc$', 'x').test('abcd')).toBe(false);
  });

  it('a pattern that closes the group itself is rejected, not compiled open', async () => {
    await expectCode(() => fullMatch('a)|(b', '--certificate-identity-regexp'), 'USAGE_INVALID');
  });

  it('the subjectRegExp of a rule is matched in full', () => {
    const rule = {
      subjectRegExp: 'https://github\\.com/acme/app/.*|https://github\\.com/acme/lib/.*',
      issuer: ISSUER,
    };
    expect(signerRuleMismatch(rule, OWN)).toBeUndefined();
    const other = github(
      'acme/application',
      'acme/application/.github/workflows/release.yml@refs/tags/v1'
    );
    expect(
      signerRuleMismatch({ subjectRegExp: 'https://github\\.com/acme/app', issuer: ISSUER }, other)
    ).toMatch(/does not match/);
  });
});

describe('signer workflow pins', () => {
  it('without @ref every ref is allowed', () => {
    const pin = parseWorkflowPin('acme/app/.github/workflows/release.yml');
    expect(pin).toEqual({ uri: 'https://github.com/acme/app/.github/workflows/release.yml' });
    expect(
      workflowPinMatches(
        pin,
        'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/dev'
      )
    ).toBe(true);
  });

  it('a pinned @ref is required (the same in verify, verify-bundle, gate and trace)', () => {
    const pin = parseWorkflowPin('acme/app/.github/workflows/release.yml@refs/tags/v1.0.0');
    expect(
      workflowPinMatches(
        pin,
        'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0'
      )
    ).toBe(true);
    expect(
      workflowPinMatches(
        pin,
        'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'
      )
    ).toBe(false);
    expect(
      signerRuleMismatch(
        {
          signerWorkflow: 'acme/app/.github/workflows/release.yml@refs/heads/main',
          issuer: ISSUER,
        },
        OWN
      )
    ).toMatch(/signer workflow/);
  });

  it('a short ref reads as a tag or branch', () => {
    const pin = parseWorkflowPin('github.com/acme/app/.github/workflows/release.yml@v1.0.0');
    expect(
      workflowPinMatches(
        pin,
        'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0'
      )
    ).toBe(true);
  });

  it('another workflow of the same repository does not match', () => {
    expect(
      signerRuleMismatch(
        { signerWorkflow: 'acme/app/.github/workflows/ci.yml', issuer: ISSUER },
        OWN
      )
    ).toMatch(/signer workflow/);
  });

  it('an empty @ref is a usage error', async () => {
    await expectCode(() => parseWorkflowPin('acme/app/.github/workflows/r.yml@'), 'USAGE_INVALID');
  });
});

describe('source pins', () => {
  it('--repo matches the certificate source repository, case-insensitively', () => {
    expect(
      signerRuleMismatch({ issuer: ISSUER, sourceRepository: 'Acme/App' }, SHARED)
    ).toBeUndefined();
    expect(
      signerRuleMismatch({ issuer: ISSUER, sourceRepository: 'acme/app' }, SHARED_EVIL)
    ).toMatch(/source repository/);
  });

  it('--owner matches repositories of that owner only (no prefix confusion)', () => {
    expect(signerRuleMismatch({ issuer: ISSUER, sourceOwner: 'acme' }, SHARED)).toBeUndefined();
    const lookalike = github(
      'acme-evil/app',
      'acme-evil/app/.github/workflows/release.yml@refs/tags/v1'
    );
    expect(signerRuleMismatch({ issuer: ISSUER, sourceOwner: 'acme' }, lookalike)).toMatch(
      /not owned/
    );
  });

  it('--source-repository takes a URI (GitLab project paths too)', () => {
    const gitlab: SigningIdentity = {
      subjectAlternativeName: 'https://gitlab.com/grp/sub/proj//.gitlab-ci.yml@refs/tags/v1',
      issuer: 'https://gitlab.com',
      extensions: {
        buildSignerURI: 'https://gitlab.com/grp/sub/proj//.gitlab-ci.yml@refs/tags/v1',
        sourceRepositoryURI: 'https://gitlab.com/grp/sub/proj',
      },
    };
    expect(isSharedBuilder(gitlab)).toBe(false);
    expect(
      signerRuleMismatch(
        { issuer: 'https://gitlab.com', sourceRepository: 'https://gitlab.com/grp/sub/proj' },
        gitlab
      )
    ).toBeUndefined();
    expect(
      signerRuleMismatch(
        { issuer: 'https://gitlab.com', sourceRepository: 'gitlab.com/grp/sub/proj' },
        gitlab
      )
    ).toBeUndefined();
    expect(
      signerRuleMismatch(
        { issuer: 'https://gitlab.com', sourceRepository: 'gitlab.com/grp/proj' },
        gitlab
      )
    ).toMatch(/source repository/);
  });

  it('only one of --repo, --owner, --source-repository', async () => {
    await expectCode(
      () => signerRuleFromFlags({ signerWorkflow: 'a/b/c.yml', repo: 'a/b', owner: 'a' }),
      'USAGE_INVALID'
    );
    await expectCode(
      () => signerRuleFromFlags({ signerWorkflow: 'a/b/c.yml', repo: 'justone' }),
      'USAGE_INVALID'
    );
    await expectCode(
      () => signerRuleFromFlags({ signerWorkflow: 'a/b/c.yml', sourceRepository: 'acme/app' }),
      'USAGE_INVALID'
    );
  });
});

describe('shared builders need a source pin', () => {
  const rule = {
    signerWorkflow: 'custody-dev/custody/.github/workflows/release.yml',
    issuer: ISSUER,
  };

  it('recognises a workflow outside the source repository', () => {
    expect(isSharedBuilder(SHARED)).toBe(true);
    expect(isSharedBuilder(OWN)).toBe(false);
  });

  it('the workflow pin alone is refused with the flag to add', async () => {
    const error = await expectCode(
      () => matchSignerRules([rule], SHARED_EVIL),
      'POLICY_SOURCE_PIN_REQUIRED'
    );
    expect(error.hint).toContain('--repo OWNER/REPO');
  });

  it('with --repo the caller is accepted and another caller rejected', () => {
    const pinned = { ...rule, sourceRepository: 'acme/app' };
    expect(matchSignerRules([pinned], SHARED).ruleIndex).toBe(0);
    expect(matchSignerRules([pinned], SHARED_EVIL).reason).toMatch(/source repository/);
  });

  it('a rule that does not match is a plain mismatch, not a usage error', () => {
    const other = { signerWorkflow: 'acme/app/.github/workflows/release.yml', issuer: ISSUER };
    expect(matchSignerRules([other], SHARED_EVIL).reason).toMatch(/signer workflow/);
  });

  it('--repo without identity flags narrows every rule of a policy file', () => {
    const base = { ...flagOnlyPolicy(), signers: [rule] };
    const amended = applyPolicyFlags(base, { repo: 'acme/app' });
    expect(amended.signers).toEqual([{ ...rule, sourceRepository: 'acme/app' }]);
  });
});
