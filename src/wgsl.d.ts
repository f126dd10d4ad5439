// Lets TypeScript import WGSL sources as strings (esbuild's text loader; the vitest config does the same).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
