import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a,b}from"./chunk-7TEMPRM3.js";import"./chunk-HWJCIIGJ.js";import"./chunk-BC7MGY62.js";import"./chunk-2XZWTSOH.js";import"./chunk-3EQZ5X6P.js";export{b as commandAction,a as exitState};
