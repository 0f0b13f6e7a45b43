import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a,b}from"./chunk-OLQBGXW7.js";import"./chunk-BC7MGY62.js";import"./chunk-3EQZ5X6P.js";export{a as resolveBuildTime,b as toRFC3339};
