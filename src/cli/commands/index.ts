// Every CLI command registers itself here, one line each.
import type { CommandRegistrar } from '../context.js';
import { registerAgent } from './agent.js';
import { registerAttest } from './attest.js';
import { registerAttestDeploy } from './attest-deploy.js';
import { registerChecksums } from './checksums.js';
import { registerDemo } from './demo.js';
import { registerDigest } from './digest.js';
import { registerSbom } from './sbom.js';
import { registerKeygen } from './keygen.js';
import { registerSign } from './sign.js';
import { registerSignBundle } from './sign-bundle.js';
import { registerStack } from './stack.js';
import { registerTrace } from './trace.js';
import { registerVerifyBundle } from './verify-bundle.js';
import { registerVerify } from './verify.js';

export const COMMANDS: readonly CommandRegistrar[] = [
  registerDemo,
  registerDigest,
  registerChecksums,
  registerSbom,
  registerStack,
  registerSign,
  registerSignBundle,
  registerKeygen,
  registerVerifyBundle,
  registerVerify,
  registerAttest,
  registerAttestDeploy, // adds `attest deploy`: must come after registerAttest
  registerAgent,
  registerTrace,
];
