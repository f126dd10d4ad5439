// Subgroups of four on the software adapter. SwiftShader runs a workgroup four invocations at a time on one
// SIMD register (subgroupMinSize = subgroupMaxSize = 4, lanes in invocation order), and each lane's load from
// a storage buffer is a gather of its own. Where four consecutive invocations read the same values (the
// rows of A a matrix-product tile row shares, the filter values of a convolution's pixels), each can load
// a quarter of them and take the rest from the other lanes with subgroupBroadcast (a register move): the
// same values, so the same sums bit for bit.
// Used only there: on other adapters the lanes' order is not what the tests have checked.
// The WGSL directives (`enable subgroups;`, and `diagnostic(off, subgroup_uniformity)`: every kernel runs
// behind the bounds guard, which whole groups of four pass or fail) must open the module, which
// tfjs-backend-webgpu writes: the device's createShaderModule is wrapped once to move them to the top.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { env } from '@tensorflow/tfjs-core';
import { FLAG_SUBGROUPS, registerFlags } from './flags';

/** The WGSL directives a body with subgroup operations needs: the program layer puts them at the module's top. */
export const SUBGROUP_DIRECTIVES = ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'];

type SubgroupInfo = { subgroupMinSize?: number; subgroupMaxSize?: number; vendor?: string; architecture?: string };

/** Whether `info` names a software adapter (SwiftShader, llvmpipe, lavapipe, WARP). */
export const isSoftwareAdapterInfo = (info: { vendor?: string; architecture?: string } | undefined): boolean =>
  /swiftshader|llvmpipe|lavapipe|warp|software/i.test(`${info?.vendor ?? ''} ${info?.architecture ?? ''}`);

let dispatches = 0;
/** Dispatches of subgroup programs recorded so far in this process (the tests check that the path ran). */
export const subgroupDispatches = (): number => dispatches;
/** The program layer counts each subgroup dispatch it records. */
export function countSubgroupDispatch(): void {
  dispatches++;
}

const DIRECTIVE = /^[ \t]*(enable [\w, ]+;|diagnostic\([\w, .]+\);)[ \t]*$/gm;

/** `code` with its directive lines (enable, diagnostic) moved to the top, each once. */
export function hoistDirectives(code: string): string {
  const directives = [...new Set([...code.matchAll(DIRECTIVE)].map((m) => m[1]!))];
  return directives.length === 0 ? code : [...directives, code.replace(DIRECTIVE, '')].join('\n');
}

/** Wraps `device.createShaderModule` so that tfjs's modules start with the bodies' directives (subgroupsOfFour: once per device). */
function hoistOn(device: GPUDevice): void {
  const create = device.createShaderModule.bind(device);
  device.createShaderModule = (descriptor: GPUShaderModuleDescriptor) => create({ ...descriptor, code: hoistDirectives(descriptor.code) });
}

/**
 * Whether kernels may share loads across subgroups of four lanes on this backend: the flag on, the device
 * created with the 'subgroups' feature (initWebGPU asks for it where the adapter has it), subgroups of
 * exactly 4, a software adapter. True also makes the device's modules take the directives.
 *
 * @example
 * const sg = subgroupsOfFour(backend); // SwiftShader in Node or Chromium: true
 * const body = sg ? `let a = subgroupBroadcast(mine, 2u);` : `let a = A[row2 + k];`;
 */
export function subgroupsOfFour(backend: WebGPUBackend): boolean {
  registerFlags();
  if (!env().getBool(FLAG_SUBGROUPS)) return false;
  const device = backend.device;
  if (!device) return false;
  let fit = deviceFits.get(device);
  if (fit === undefined) {
    const info = (device as GPUDevice & { adapterInfo?: SubgroupInfo }).adapterInfo;
    fit = device.features?.has('subgroups') === true && info?.subgroupMinSize === 4 && info.subgroupMaxSize === 4 && isSoftwareAdapterInfo(info);
    deviceFits.set(device, fit);
    if (fit) hoistOn(device);
  }
  return fit;
}

/** Per device, whether its feature and adapter allow the subgroup tiles (asked on every kernel call: kept). */
const deviceFits = new WeakMap<GPUDevice, boolean>();

/** A body's declaration of its lane in its subgroup of four, which loadShared and sharedItem read ('' without `sg`). */
export const laneDeclaration = (sg: boolean): string => (sg ? '  let lane = index & 3;' : '');

/** Which value of a shared set a load reads: a literal index, or a WGSL i32 expression (the lanes' share). */
export type SharedItem = number | string;

/** The WGSL index of the value that lane (`lane`, index & 3) loads in slot s of n shared values: lane * ceil(n / 4) + s, at most n - 1. */
export function sharedItem(n: number, s: number): string {
  const L = Math.ceil(n / 4);
  return L === 1 ? `min(lane, ${n - 1})` : `min(lane * ${L} + ${s}, ${n - 1})`;
}

/**
 * `let {name}{i} = load(i);` for i < n, each lane its own loads; with `sg`, values the four lanes of a
 * subgroup all need (a convolution tile's filter values, its lanes taking consecutive pixels): lane
 * (`lane`, declared by the body with laneDeclaration) loads values sharedItem(n, s) for slots s < ceil(n / 4), and
 * subgroupBroadcast gives every lane all n. `load(item, slot)`: the item's WGSL index, and its slot (the
 * value's own index without `sg`), for callers that hoist an index per slot.
 *
 * @example
 * loadShared(4, 'w', (c) => (typeof c === 'number' ? `W[wIndex + co${c}]` : `W[wIndex + min(ct4 + ${c}, last)]`), true);
 * // let wMine0 = W[wIndex + min(ct4 + min(lane, 3), last)]; let w0 = subgroupBroadcast(wMine0, 0u); ...
 */
export function loadShared(n: number, name: string, load: (item: SharedItem, slot: number) => string, sg: boolean, indent = '    '): string {
  const lines = (count: number, f: (i: number) => string) => Array.from({ length: count }, (_, i) => `${indent}${f(i)}`).join('\n');
  if (!sg) return lines(n, (i) => `let ${name}${i} = ${load(i, i)};`);
  const L = Math.ceil(n / 4);
  return [lines(L, (s) => `let ${name}Mine${s} = ${load(sharedItem(n, s), s)};`), lines(n, (i) => `let ${name}${i} = subgroupBroadcast(${name}Mine${i % L}, ${Math.floor(i / L)}u);`)].join('\n');
}

/**
 * The tiles a subgroup grid runs along its fastest axis, or null where it does not pay: padded to a
 * multiple of 4, so that each four consecutive invocations share the slower coordinates, where that adds
 * at most a quarter (the padding's invocations read clamped indices and write nothing).
 */
export function subgroupTiles(tiles: number): number | null {
  const padded = 4 * Math.ceil(tiles / 4);
  return padded <= 1.25 * tiles ? padded : null;
}

/**
 * The tiles a grid runs along its fastest axis, and whether its lanes share loads over subgroups of four:
 * padded by subgroupTiles where subgroupsOfFour holds and the padding pays, else `tiles` as they are.
 *
 * @example
 * const { tiles: columnTiles, sg } = subgroupGrid(backend, Math.ceil(outWidth / 4)); // 7 -> 8, sg true on SwiftShader
 */
export function subgroupGrid(backend: WebGPUBackend, tiles: number): { tiles: number; sg: boolean } {
  const padded = subgroupsOfFour(backend) ? subgroupTiles(tiles) : null;
  return { tiles: padded ?? tiles, sg: padded !== null };
}
