import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-2XZWTSOH.js";import"./chunk-3EQZ5X6P.js";export{a as canonicalJSON,b as prettyCanonicalJSON,c as sortKeys};
