// Every CLI command registers itself here, one line each.
import type { CommandRegistrar } from '../context.js';
import { registerChecksums } from './checksums.js';
import { registerDemo } from './demo.js';
import { registerDigest } from './digest.js';
import { registerStack } from './stack.js';

export const COMMANDS: readonly CommandRegistrar[] = [
  registerDemo,
  registerDigest,
  registerChecksums,
  registerStack,
];
