import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{c as T,d as P,e as R}from"./chunk-TDRN5HHZ.js";import{b as _}from"./chunk-7TEMPRM3.js";import{a as G}from"./chunk-OLQBGXW7.js";import"./chunk-HWJCIIGJ.js";import{b as y,c as M,d as I,e as S,g as j,h as A}from"./chunk-42XIG6PA.js";import{d as v}from"./chunk-BC7MGY62.js";import"./chunk-2XZWTSOH.js";import{a as p}from"./chunk-3EQZ5X6P.js";import{glob as J,mkdir as Z,stat as q}from"node:fs/promises";import u from"node:path";var $=`{
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
`,U=`{
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
`;var b=p(()=>import("./sbom-4BNLHC3V.js"),"loadSbom"),D=p(()=>import("./discover-3YAIXTMK.js"),"loadDiscover"),Q=4*1024*1024,z=256*1024*1024,we=p((t,e)=>{t.command("sbom").description("write a CycloneDX SBOM from package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock (no install, no network); validate CycloneDX JSON").argument("[dir]","project directory holding the lockfile, or an image (HOST/REPO:TAG, OCI layout, tarball)",".").option("--platform <os/arch>","images: the platform of a multi-platform index (default linux/amd64)").option("--plain-http","images: allow plain HTTP to a registry that is not on loopback").option("--lockfile <file>","lockfile to read (default: every lockfile in DIR); a Go executable gives the modules linked into it").option("-o, --output <file>","write the SBOM here (atomically) instead of stdout").option("--spec-version <version>","CycloneDX version: 1.5, 1.6 or 1.7","1.6").option("--include-dev",'keep dev dependencies (as scope "optional")',!1).option("--dev-scope <scope>","scope of dev dependencies with --include-dev: optional or excluded","optional").option("--gitlab","add the metadata properties GitLab dependency scanning needs",!1).option("--serial-number <urn>","use this urn:uuid instead of the content-derived one").option("--files <paths...>","describe these release artifacts as file components (SHA-256/512)").option("--no-validate","skip CycloneDX schema validation of the result").option("--no-enrich","do not read licences/authors from node_modules/*/package.json").option("--omit <type...>","leave out dependencies of this type: dev (Python, Go, Rust, Ruby, PHP, Java and .NET lockfiles include dev dependencies, marked, unless --omit dev)").option("--split","with several lockfiles in DIR: one SBOM per lockfile, written into the --output directory",!1).option("--format <format>","cyclonedx-json or spdx-json (SPDX 2.3)","cyclonedx-json").addHelpText("after",`
Examples:
  custody sbom -o sbom.cdx.json
  custody sbom . --format spdx-json -o sbom.spdx.json
  custody sbom monorepo --split -o sboms/
  custody sbom packages/app --include-dev --spec-version 1.7
  custody sbom --files dist/app.tar.gz dist/app.zip -o release.cdx.json
  custody sbom validate sbom.cdx.json
SOURCE_DATE_EPOCH sets metadata.timestamp; the same inputs give byte-identical output.`).action(_(e,(i,s,a)=>ae(e,i,s,a))).command("validate").description("validate a CycloneDX JSON (1.2-1.7) or SPDX 2.3 JSON document against the bundled schemas").argument("<file>","CycloneDX or SPDX JSON file").action(_(e,i=>le(e,i)))},"registerSbom");function L(t){return t.split(u.sep).join("/")}p(L,"posix");async function W(t){let e=await b();for(let o of e.LOCKFILE_NAMES){let i=u.join(t,o);if(await j(i))return i}}p(W,"findLockfile");async function C(t){let e=await b();if(!await j(t))return;let o=await I(t,{maxBytes:Q,what:"package.json"});return e.toManifest(S(o.replace(/^\uFEFF/,""),t))}p(C,"readManifest");async function Y(t,e){let o=new Set;for(let i of e){let s=i.replace(/\/+$/,"");if(!(s.startsWith("/")||s.split("/").includes("..")))for await(let a of J(`${s}/package.json`,{cwd:t,exclude:p(n=>n==="node_modules","exclude")}))o.add(L(u.dirname(a)))}return[...o].sort()}p(Y,"expandWorkspaceGlobs");async function ee(t,e){let o=new Map,i=await Promise.all(e.map(async s=>{let a=await A(t,s).catch(()=>{});if(a===void 0)return;let n=await C(u.join(a,"package.json"));return n===void 0?void 0:[s,n]}));for(let s of i)s!==void 0&&o.set(s[0],s[1]);return o}p(ee,"readWorkspaceManifests");async function te(t,e,o){let i=new Map;if(!await j(u.join(t,"node_modules")))return i;let s=[];for(let n of e.packages.values())(o||!n.dev)&&n.source!=="workspace"&&s.push(n);let a=p(async n=>{let r=n.installPaths.length>0?n.installPaths:[`node_modules/${n.name}`];for(let m of r){let c=await A(t,m).catch(()=>{});if(c===void 0)continue;let d=await C(u.join(c,"package.json")).catch(()=>{});if(!(d===void 0||d.version!==n.version)){i.set(n.key,{license:d.license,author:d.author,description:d.description});return}}},"read");for(let n=0;n<s.length;n+=64)await Promise.all(s.slice(n,n+64).map(a));return i}p(te,"readEnrichment");async function X(t,e){let o=await R(e,t.cwd);for(let n of o.skipped)n.reason!=="excluded"&&t.io.stderr(`custody: skipped ${n.path}: ${n.reason}
`);let i=o.files.flatMap(n=>[{path:n.absolute,algorithm:"sha256"},{path:n.absolute,algorithm:"sha512"}]),s=await T(i);return o.files.map((n,r)=>{let m=s[2*r],c=s[2*r+1];if(m?.ok!==!0)throw P(n.display,m?.ok===!1?m.errno:"EIO");if(c?.ok!==!0)throw P(n.display,c?.ok===!1?c.errno:"EIO");return{name:L(n.display),sha256:m.hex,sha512:c.hex}}).sort((n,r)=>n.name<r.name?-1:n.name>r.name?1:0)}p(X,"hashFiles");function oe(t,e){if(!t.GENERATE_SPEC_VERSIONS.includes(e))throw new v("SBOM_SPEC_UNSUPPORTED",`--spec-version ${JSON.stringify(e)} is not supported; use ${t.GENERATE_SPEC_VERSIONS.join(", ")}`);return e}p(oe,"parseSpecVersion");function ne(t){if(t!=="cyclonedx-json"&&t!=="spdx-json")throw new v("USAGE_INVALID",`--format ${JSON.stringify(t)} is not supported; use cyclonedx-json or spdx-json`);return t}p(ne,"parseFormat");function se(t){for(let e of t??[])if(e!=="dev")throw new v("USAGE_INVALID",`--omit ${JSON.stringify(e)} is not supported; the type that can be omitted is dev`);return{dev:(t??[]).includes("dev")}}p(se,"parseOmit");function ie(t,e){let o=L(u.relative(t.cwd,e));return o.startsWith("..")||u.isAbsolute(o)?u.basename(e):o}p(ie,"displayPath");async function K(t,e,o){let i=await b(),s=u.dirname(t),a=await I(t,{maxBytes:i.LOCKFILE_SIZE_LIMIT,what:"lockfile"}),n=i.prepareLockfile(a,e),r=await C(u.join(s,"package.json")),m=n.format==="yarn-classic"?await Y(s,r?.workspaces??[]):n.workspaceDirs,c=await ee(s,m);r!==void 0&&c.set("",r);let d=i.buildGraph(n.build(c)),l=o.enrich?await te(s,d,o.includeDev):new Map;return{graph:d,enrichment:l}}p(K,"readJavaScriptGraph");function V(t){let e=new Map([...t.packages].filter(([,o])=>!o.dev));return{...t,packages:e}}p(V,"withoutDev");async function ae(t,e,o,i){let{isImageArgument:s}=await import("./argument-Q5PSZFPC.js");if(await s(e,t.cwd)){let{runImageSbom:k}=await import("./sbom-image-7AUZSBFM.js");return k(t,e,o)}let a=await b(),n=oe(a,o.specVersion),r=ne(o.format),m=se(o.omit),c=o.serialNumber===void 0?void 0:a.checkSerialNumber(o.serialNumber),d=G(t.env.SOURCE_DATE_EPOCH,t.now()),l=i.args.length>0,h=u.resolve(t.cwd,e),g={specVersion:n,serialNumber:c,timestamp:d,format:r,options:o},f;if(o.lockfile!==void 0)f=u.resolve(t.cwd,o.lockfile);else if(o.files===void 0||l){let k=await q(h).catch(()=>{});if(k===void 0)throw new v("INPUT_NOT_FOUND",`directory ${e} does not exist`);if(!k.isDirectory())throw new v("INPUT_UNREADABLE",`${e} is not a directory`,{hint:"pass a project directory, or the lockfile with --lockfile"});let w=await(await D()).discoverLockfiles(h);if(w.length>1||o.split&&w.length>0){let N=o.files===void 0?[]:await X(t,o.files);return re(t,h,w,{...g,files:N,omitDev:m.dev})}if(f=w[0]?.absolute??await W(h),f===void 0)throw new v("SBOM_LOCKFILE_NOT_FOUND",`no supported lockfile in ${e} (${a.LOCKFILE_NAMES.join(", ")}, uv.lock, poetry.lock, Pipfile.lock, pylock.toml, requirements*.txt, go.mod, Cargo.lock, Gemfile.lock, composer.lock, gradle.lockfile, dependency-tree.txt, packages.lock.json)`,{hint:"run custody sbom in the project directory or pass --lockfile FILE"})}if(o.split)throw new v("USAGE_INVALID","--split needs a project directory, not --lockfile");let O=o.files===void 0?[]:await X(t,o.files);if(f!==void 0){let k=ie(t,f);if(await(await D()).isEcosystemInput(f)){let F=await(await D()).readEcosystemGraph(f,k);return E(t,m.dev?V(F):F,{...g,files:O,lockfilePath:k,enrichment:new Map,includeDev:!0})}let{graph:w,enrichment:N}=await K(f,k,o);return E(t,w,{...g,files:O,lockfilePath:k,enrichment:N,includeDev:o.includeDev&&!m.dev})}let x=await C(u.join(h,"package.json")),H=a.emptyGraph({name:x?.name??u.basename(h),version:x?.version,license:x?.license});return E(t,H,{...g,files:O,lockfilePath:void 0,enrichment:new Map,includeDev:o.includeDev})}p(ae,"runSbom");async function re(t,e,o,i){let s=await b(),{options:a}=i,n=[];for(let c of o){let d=c.relative;if(c.javascript){let{graph:l,enrichment:h}=await K(c.absolute,d,a),g=a.includeDev&&!i.omitDev;n.push({lockfilePath:d,graph:g?l:V(l),enrichment:h})}else{let l=await(await D()).readEcosystemGraph(c.absolute,d);n.push({lockfilePath:d,graph:i.omitDev?V(l):l,enrichment:new Map})}}if(a.split){if(a.output===void 0)throw new v("USAGE_INVALID","--split writes one file per lockfile: pass --output DIR");let c=u.resolve(t.cwd,a.output);await Z(c,{recursive:!0});let d=[];for(let l of n){let h=`${l.lockfilePath.replace(/[/\\]/g,"__")}${i.format==="spdx-json"?".spdx.json":".cdx.json"}`,g=await B(l.graph,{...i,lockfilePath:l.lockfilePath,enrichment:l.enrichment,includeDev:!0}),f=u.join(c,h);await y(f,g.json),d.push({lockfile:l.lockfilePath,format:l.graph.format,output:f,components:g.componentCount})}return{text:d.map(l=>`wrote ${String(l.output)}: ${String(l.components)} components from ${String(l.lockfile)}`).join(`
`),json:{split:!0,sboms:d}}}let r=s.mergeGraphs(u.basename(e),n),m=new Map;for(let c of n)for(let[d,l]of c.enrichment)m.set(d,l);return E(t,r,{...i,lockfilePath:void 0,lockfiles:n.map(c=>c.lockfilePath),enrichment:m,includeDev:!0})}p(re,"runProject");async function B(t,e){let o=await b(),{options:i}=e;if(e.format==="spdx-json"){let a=o.buildSpdx(t,{timestamp:e.timestamp,includeDev:e.includeDev,files:e.files,lockfilePath:e.lockfilePath});i.validate&&await o.assertValidSpdx(a,"generated SBOM");let n=0;for(let r of t.packages.values())(e.includeDev||!r.dev)&&n++;return{json:o.serializeSpdx(a),document:a,componentCount:n,label:o.SPDX_VERSION,serialNumber:null}}if(!o.DEV_SCOPES.includes(i.devScope))throw new v("USAGE_INVALID",`--dev-scope ${JSON.stringify(i.devScope)} is not one of ${o.DEV_SCOPES.join(", ")}`);let s=await o.generateSbomFromGraph(t,{specVersion:e.specVersion,includeDev:e.includeDev,devScope:i.devScope,timestamp:e.timestamp,lockfilePath:e.lockfilePath,serialNumber:e.serialNumber,gitlab:i.gitlab,enrichment:e.enrichment,files:e.files,validate:i.validate});return{json:s.json,document:s.document,componentCount:s.componentCount,label:`CycloneDX ${s.specVersion}`,serialNumber:s.serialNumber}}p(B,"render");async function E(t,e,o){let{options:i}=o,s=await B(e,o),a={lockfile:o.lockfilePath??null,...o.lockfiles===void 0?{}:{lockfiles:o.lockfiles},format:o.lockfilePath===void 0&&o.lockfiles===void 0?null:e.format,sbomFormat:o.format,specVersion:o.format==="spdx-json"?s.label:o.specVersion,components:s.componentCount,files:o.files.length,serialNumber:s.serialNumber,validated:i.validate};if(i.output!==void 0){let n=u.resolve(t.cwd,i.output);return await y(n,s.json),{text:`wrote ${i.output}: ${s.label}, ${s.componentCount} components${o.files.length>0?`, ${o.files.length} files`:""}${i.validate?", schema-valid":""}`,json:{...a,output:n}}}return{text:s.json,json:{...a,output:null,sbom:s.document}}}p(E,"finish");function ce(t){return t.map(e=>`  ${e.pointer===""?"/":e.pointer}: ${e.message}`).join(`
`)}p(ce,"formatErrors");async function le(t,e){let o=await b(),i=u.resolve(t.cwd,e),s=await M(i,{maxBytes:z,what:"SBOM"}),a=S(s.toString("utf8"),e),n=o.isSpdxDocument(a),r=n?await o.validateSpdx(a,{source:e}):await o.validateBom(a,{source:e}),m=n?r.specVersion:`CycloneDX ${r.specVersion}`,c=n?"spdx":"cyclonedx";return r.valid?{text:`${e}: valid ${m}`,json:{file:e,valid:!0,format:c,specVersion:r.specVersion,errors:[]}}:{text:`${e}: NOT valid ${m} (${r.errors.length} error${r.errors.length===1?"":"s"})
${ce(r.errors)}`,json:{file:e,valid:!1,format:c,specVersion:r.specVersion,errors:r.errors},exitCode:1}}p(le,"runValidate");var ye={name:"sbom",async run(t){let e=await b(),o=new Map([["",e.toManifest(JSON.parse($))]]),i=e.buildGraph(e.prepareLockfile(U,"package-lock.json").build(o)),s=t.artifacts.flatMap(l=>[{path:u.join(t.outDir,l),algorithm:"sha256"},{path:u.join(t.outDir,l),algorithm:"sha512"}]),a=await T(s),n=t.artifacts.map((l,h)=>{let g=a[2*h],f=a[2*h+1];if(g?.ok!==!0||f?.ok!==!0)throw P(l,"EIO");return{name:l,sha256:g.hex,sha512:f.hex}}),r=await e.generateSbomFromGraph(i,{timestamp:G(t.ctx.env.SOURCE_DATE_EPOCH,t.ctx.now()),lockfilePath:"package-lock.json",files:n}),m=u.join(t.outDir,"hello.cdx.json");await y(m,r.json);let c=S((await M(m,{maxBytes:z})).toString("utf8"),m),d=await e.validateBom(c,{source:"hello.cdx.json"});if(!d.valid)throw new v("SBOM_SCHEMA_INVALID","demo SBOM is not valid CycloneDX",{details:{errors:d.errors}});t.log(`wrote hello.cdx.json (CycloneDX ${d.specVersion}, ${r.componentCount} packages, ${n.length} files) and validated it`),t.facts.set("sbom",m)}};export{we as registerSbom,ye as sbomDemoStep};
