import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{f as a}from"./chunk-PC3KKRUE.js";import"./chunk-BC7MGY62.js";import"./chunk-3EQZ5X6P.js";export{a as isImageArgument};
