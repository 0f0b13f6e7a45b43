import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a,b}from"./chunk-BE2BRLSY.js";import"./chunk-7TL5UW3B.js";import"./chunk-3EQZ5X6P.js";export{a as resolveBuildTime,b as toRFC3339};
