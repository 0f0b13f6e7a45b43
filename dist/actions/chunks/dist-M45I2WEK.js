import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a}from"./chunk-RJ3SLFBJ.js";import"./chunk-3EQZ5X6P.js";export default a();
