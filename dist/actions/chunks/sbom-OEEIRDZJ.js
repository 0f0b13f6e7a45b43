import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{b as A}from"./chunk-7TEMPRM3.js";import{a as _}from"./chunk-PSK2YNMU.js";import{c as x,d as S,e as V}from"./chunk-ZDUJ4PY4.js";import"./chunk-HWJCIIGJ.js";import{b as O,c as M,d as D,e as w,g as k,h as N}from"./chunk-6TEW6KVI.js";import{d as b}from"./chunk-XT3Q5KJJ.js";import"./chunk-2XZWTSOH.js";import{a as l}from"./chunk-3EQZ5X6P.js";import{glob as K,stat as X}from"node:fs/promises";import r from"node:path";var L=`{
  "name": "hello",
  "version": "1.0.0",
  "description": "The sample tool of custody demo",
  "license": "Apache-2.0",
  "bin": {
    "hello": "bin/hello.js"
  },
  "dependencies": {
    "chalk": "^4.0.0",
    "debug": "^4.4.0"
  },
  "devDependencies": {
    "typescript": "^5.9.0"
  }
}
`,F=`{
  "name": "hello",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "hello",
      "version": "1.0.0",
      "license": "Apache-2.0",
      "bin": {
        "hello": "bin/hello.js"
      },
      "dependencies": {
        "chalk": "^4.0.0",
        "debug": "^4.4.0"
      },
      "devDependencies": {
        "typescript": "^5.9.0"
      }
    },
    "node_modules/ansi-styles": {
      "version": "4.3.0",
      "resolved": "https://registry.npmjs.org/ansi-styles/-/ansi-styles-4.3.0.tgz",
      "integrity": "sha512-zbB9rCJAT1rbjiVDb2hqKFHNYLxgtk8NURxZ3IZwD3F6NtxbXZQCnnSi1Lkx+IDohdPlFp222wVALIheZJQSEg==",
      "license": "MIT",
      "dependencies": {
        "color-convert": "^2.0.1"
      }
    },
    "node_modules/chalk": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/chalk/-/chalk-4.0.0.tgz",
      "integrity": "sha512-N9oWFcegS0sFr9oh1oz2d7Npos6vNoWW9HvtCg5N1KRFpUhaAhvTv5Y58g880fZaEYSNm3qDz8SU1UrGvp+n7A==",
      "license": "MIT",
      "dependencies": {
        "ansi-styles": "^4.1.0",
        "supports-color": "^7.1.0"
      }
    },
    "node_modules/color-convert": {
      "version": "2.0.1",
      "resolved": "https://registry.npmjs.org/color-convert/-/color-convert-2.0.1.tgz",
      "integrity": "sha512-RRECPsj7iu/xb5oKYcsFHSppFNnsj/52OVTRKb4zP5onXwVF3zVmmToNcOfGC+CRDpfK/U584fMg38ZHCaElKQ==",
      "license": "MIT",
      "dependencies": {
        "color-name": "~1.1.4"
      }
    },
    "node_modules/color-name": {
      "version": "1.1.4",
      "resolved": "https://registry.npmjs.org/color-name/-/color-name-1.1.4.tgz",
      "integrity": "sha512-dOy+3AuW3a2wNbZHIuMZpTcgjGuLU/uBL/ubcZF9OXbDo8ff4O8yVp5Bf0efS8uEoYo5q4Fx7dY9OgQGXgAsQA==",
      "license": "MIT"
    },
    "node_modules/debug": {
      "version": "4.4.3",
      "resolved": "https://registry.npmjs.org/debug/-/debug-4.4.3.tgz",
      "integrity": "sha512-RGwwWnwQvkVfavKVt22FGLw+xYSdzARwm0ru6DhTVA3umU5hZc28V3kO4stgYryrTlLpuvgI9GiijltAjNbcqA==",
      "license": "MIT",
      "dependencies": {
        "ms": "^2.1.3"
      }
    },
    "node_modules/has-flag": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/has-flag/-/has-flag-4.0.0.tgz",
      "integrity": "sha512-EykJT/Q1KjTWctppgIAgfSO0tKVuZUjhgMr17kqTumMl6Afv3EISleU7qZUzoXDFTAHTDC4NOoG/ZxU3EvlMPQ==",
      "license": "MIT"
    },
    "node_modules/ms": {
      "version": "2.1.3",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
      "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==",
      "license": "MIT"
    },
    "node_modules/supports-color": {
      "version": "7.2.0",
      "resolved": "https://registry.npmjs.org/supports-color/-/supports-color-7.2.0.tgz",
      "integrity": "sha512-qpCAvRl9stuOHveKsn7HncJRvv501qIacKzQlO/+Lwxc9+0q2wLyv4Dfvt80/DPn2pqOBsJdDiogXGR9+OvwRw==",
      "license": "MIT",
      "dependencies": {
        "has-flag": "^4.0.0"
      }
    },
    "node_modules/typescript": {
      "version": "5.9.3",
      "resolved": "https://registry.npmjs.org/typescript/-/typescript-5.9.3.tgz",
      "integrity": "sha512-jl1vZzPDinLr9eUt3J/t7V6FgNEw9QjvBPdysz9KfQDD41fQrC2Y4vKQdiaUpFT4bXlb1RHhLpp8wtm6M5TgSw==",
      "license": "Apache-2.0",
      "dev": true
    }
  }
}
`;var v=l(()=>import("./sbom-YTAJIY2T.js"),"loadSbom"),B=4*1024*1024,$=256*1024*1024,me=l((t,o)=>{t.command("sbom").description("write a CycloneDX SBOM from package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock (no install, no network); validate CycloneDX JSON").argument("[dir]","project directory holding the lockfile",".").option("--lockfile <file>","lockfile to read (default: detected in DIR)").option("-o, --output <file>","write the SBOM here (atomically) instead of stdout").option("--spec-version <version>","CycloneDX version: 1.5, 1.6 or 1.7","1.6").option("--include-dev",'keep dev dependencies (as scope "optional")',!1).option("--gitlab","add the metadata properties GitLab dependency scanning needs",!1).option("--serial-number <urn>","use this urn:uuid instead of the content-derived one").option("--files <paths...>","describe these release artifacts as file components (SHA-256/512)").option("--no-validate","skip CycloneDX schema validation of the result").option("--no-enrich","do not read licences/authors from node_modules/*/package.json").addHelpText("after",`
Examples:
  custody sbom -o sbom.cdx.json
  custody sbom packages/app --include-dev --spec-version 1.7
  custody sbom --files dist/app.tar.gz dist/app.zip -o release.cdx.json
  custody sbom validate sbom.cdx.json
SOURCE_DATE_EPOCH sets metadata.timestamp; the same inputs give byte-identical output.`).action(A(o,(i,s,a)=>Y(o,i,s,a))).command("validate").description("validate a CycloneDX JSON document (1.2-1.7) against the bundled schemas").argument("<file>","CycloneDX JSON file").action(A(o,i=>te(o,i)))},"registerSbom");function T(t){return t.split(r.sep).join("/")}l(T,"posix");async function H(t){let o=await v();for(let n of o.LOCKFILE_NAMES){let i=r.join(t,n);if(await k(i))return i}}l(H,"findLockfile");async function j(t){let o=await v();if(!await k(t))return;let n=await D(t,{maxBytes:B,what:"package.json"});return o.toManifest(w(n.replace(/^\uFEFF/,""),t))}l(j,"readManifest");async function J(t,o){let n=new Set;for(let i of o){let s=i.replace(/\/+$/,"");if(!(s.startsWith("/")||s.split("/").includes("..")))for await(let a of K(`${s}/package.json`,{cwd:t,exclude:l(e=>e==="node_modules","exclude")}))n.add(T(r.dirname(a)))}return[...n].sort()}l(J,"expandWorkspaceGlobs");async function Z(t,o){let n=new Map,i=await Promise.all(o.map(async s=>{let a=await N(t,s).catch(()=>{});if(a===void 0)return;let e=await j(r.join(a,"package.json"));return e===void 0?void 0:[s,e]}));for(let s of i)s!==void 0&&n.set(s[0],s[1]);return n}l(Z,"readWorkspaceManifests");async function q(t,o,n){let i=new Map;if(!await k(r.join(t,"node_modules")))return i;let s=[];for(let e of o.packages.values())(n||!e.dev)&&e.source!=="workspace"&&s.push(e);let a=l(async e=>{let d=e.installPaths.length>0?e.installPaths:[`node_modules/${e.name}`];for(let m of d){let p=await N(t,m).catch(()=>{});if(p===void 0)continue;let c=await j(r.join(p,"package.json")).catch(()=>{});if(!(c===void 0||c.version!==e.version)){i.set(e.key,{license:c.license,author:c.author,description:c.description});return}}},"read");for(let e=0;e<s.length;e+=64)await Promise.all(s.slice(e,e+64).map(a));return i}l(q,"readEnrichment");async function Q(t,o){let n=await V(o,t.cwd);for(let e of n.skipped)e.reason!=="excluded"&&t.io.stderr(`custody: skipped ${e.path}: ${e.reason}
`);let i=n.files.flatMap(e=>[{path:e.absolute,algorithm:"sha256"},{path:e.absolute,algorithm:"sha512"}]),s=await x(i);return n.files.map((e,d)=>{let m=s[2*d],p=s[2*d+1];if(m?.ok!==!0)throw S(e.display,m?.ok===!1?m.errno:"EIO");if(p?.ok!==!0)throw S(e.display,p?.ok===!1?p.errno:"EIO");return{name:T(e.display),sha256:m.hex,sha512:p.hex}}).sort((e,d)=>e.name<d.name?-1:e.name>d.name?1:0)}l(Q,"hashFiles");function W(t,o){if(!t.GENERATE_SPEC_VERSIONS.includes(o))throw new b("SBOM_SPEC_UNSUPPORTED",`--spec-version ${JSON.stringify(o)} is not supported; use ${t.GENERATE_SPEC_VERSIONS.join(", ")}`);return o}l(W,"parseSpecVersion");async function Y(t,o,n,i){let s=await v(),a=W(s,n.specVersion),e=n.serialNumber===void 0?void 0:s.checkSerialNumber(n.serialNumber),d=_(t.env.SOURCE_DATE_EPOCH,t.now()),m=i.args.length>0,p=r.resolve(t.cwd,o),c;if(n.lockfile!==void 0)c=r.resolve(t.cwd,n.lockfile);else if(n.files===void 0||m){let g=await X(p).catch(()=>{});if(g===void 0)throw new b("INPUT_NOT_FOUND",`directory ${o} does not exist`);if(!g.isDirectory())throw new b("INPUT_UNREADABLE",`${o} is not a directory`,{hint:"pass a project directory, or the lockfile with --lockfile"});if(c=await H(p),c===void 0)throw new b("SBOM_LOCKFILE_NOT_FOUND",`no ${s.LOCKFILE_NAMES.join(", ")} in ${o}`,{hint:"run custody sbom in the project directory or pass --lockfile FILE"})}let u=n.files===void 0?[]:await Q(t,n.files),f,h;if(c!==void 0){let g=r.dirname(c),R=await D(c,{maxBytes:s.LOCKFILE_SIZE_LIMIT,what:"lockfile"}),E=T(r.relative(t.cwd,c));h=E.startsWith("..")||r.isAbsolute(E)?r.basename(c):E;let C=s.prepareLockfile(R,h),P=await j(r.join(g,"package.json")),z=C.format==="yarn-classic"?await J(g,P?.workspaces??[]):C.workspaceDirs,I=await Z(g,z);P!==void 0&&I.set("",P),f=s.buildGraph(C.build(I));let U=n.enrich?await q(g,f,n.includeDev):new Map;return G(t,f,{specVersion:a,serialNumber:e,timestamp:d,files:u,lockfilePath:h,enrichment:U,options:n})}let y=await j(r.join(p,"package.json"));return f=s.emptyGraph({name:y?.name??r.basename(p),version:y?.version,license:y?.license}),G(t,f,{specVersion:a,serialNumber:e,timestamp:d,files:u,lockfilePath:h,enrichment:new Map,options:n})}l(Y,"runSbom");async function G(t,o,n){let{options:i}=n,a=await(await v()).generateSbomFromGraph(o,{specVersion:n.specVersion,includeDev:i.includeDev,timestamp:n.timestamp,lockfilePath:n.lockfilePath,serialNumber:n.serialNumber,gitlab:i.gitlab,enrichment:n.enrichment,files:n.files,validate:i.validate}),e={lockfile:n.lockfilePath??null,format:n.lockfilePath===void 0?null:o.format,specVersion:a.specVersion,components:a.componentCount,files:n.files.length,serialNumber:a.serialNumber,validated:i.validate};if(i.output!==void 0){let d=r.resolve(t.cwd,i.output);return await O(d,a.json),{text:`wrote ${i.output}: CycloneDX ${a.specVersion}, ${a.componentCount} components${n.files.length>0?`, ${n.files.length} files`:""}${i.validate?", schema-valid":""}`,json:{...e,output:d}}}return{text:a.json,json:{...e,output:null,sbom:a.document}}}l(G,"finish");function ee(t){return t.map(o=>`  ${o.pointer===""?"/":o.pointer}: ${o.message}`).join(`
`)}l(ee,"formatErrors");async function te(t,o){let n=await v(),i=r.resolve(t.cwd,o),s=await M(i,{maxBytes:$,what:"SBOM"}),a=w(s.toString("utf8"),o),e=await n.validateBom(a,{source:o});return e.valid?{text:`${o}: valid CycloneDX ${e.specVersion}`,json:{file:o,valid:!0,specVersion:e.specVersion,errors:[]}}:{text:`${o}: NOT valid CycloneDX ${e.specVersion} (${e.errors.length} error${e.errors.length===1?"":"s"})
${ee(e.errors)}`,json:{file:o,valid:!1,specVersion:e.specVersion,errors:e.errors},exitCode:1}}l(te,"runValidate");var ue={name:"sbom",async run(t){let o=await v(),n=new Map([["",o.toManifest(JSON.parse(L))]]),i=o.buildGraph(o.prepareLockfile(F,"package-lock.json").build(n)),s=t.artifacts.flatMap(u=>[{path:r.join(t.outDir,u),algorithm:"sha256"},{path:r.join(t.outDir,u),algorithm:"sha512"}]),a=await x(s),e=t.artifacts.map((u,f)=>{let h=a[2*f],y=a[2*f+1];if(h?.ok!==!0||y?.ok!==!0)throw S(u,"EIO");return{name:u,sha256:h.hex,sha512:y.hex}}),d=await o.generateSbomFromGraph(i,{timestamp:_(t.ctx.env.SOURCE_DATE_EPOCH,t.ctx.now()),lockfilePath:"package-lock.json",files:e}),m=r.join(t.outDir,"hello.cdx.json");await O(m,d.json);let p=w((await M(m,{maxBytes:$})).toString("utf8"),m),c=await o.validateBom(p,{source:"hello.cdx.json"});if(!c.valid)throw new b("SBOM_SCHEMA_INVALID","demo SBOM is not valid CycloneDX",{details:{errors:c.errors}});t.log(`wrote hello.cdx.json (CycloneDX ${c.specVersion}, ${d.componentCount} packages, ${e.length} files) and validated it`),t.facts.set("sbom",m)}};export{me as registerSbom,ue as sbomDemoStep};
