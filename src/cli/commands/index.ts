// Every CLI command registers itself here, one line each.
import type { CommandRegistrar } from '../context.js';
import { registerDemo } from './demo.js';

export const COMMANDS: readonly CommandRegistrar[] = [registerDemo];
