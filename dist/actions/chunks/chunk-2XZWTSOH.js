import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a as r}from"./chunk-3EQZ5X6P.js";function e(n){return JSON.stringify(t(n))}r(e,"canonicalJSON");function u(n){return`${JSON.stringify(t(n),null,2)}
`}r(u,"prettyCanonicalJSON");function t(n){if(Array.isArray(n))return n.map(t);if(n!==null&&typeof n=="object"){let o=n,i={};for(let s of Object.keys(o).sort()){let c=o[s];c!==void 0&&(i[s]=t(c))}return i}return n}r(t,"sortKeys");export{e as a,u as b,t as c};
