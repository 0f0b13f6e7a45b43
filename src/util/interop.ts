// A dynamic import() of a CommonJS package yields its exports directly when the bundle is one
// file (dist/cli.js), but wrapped as `default` when esbuild splits it into a shared chunk (the
// GitHub Action builds). `probe` is an export the real module has, to tell the two apart.
export function commonJSExports<T extends object>(module: T, probe: keyof T): T {
  return probe in module ? module : (module as unknown as { default: T }).default;
}
