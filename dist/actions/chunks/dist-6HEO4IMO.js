import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{c as a}from"./chunk-55JKKNY5.js";import"./chunk-3EQZ5X6P.js";export default a();
