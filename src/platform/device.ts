// Gets a WebGPU device in a browser (navigator.gpu) or in Node (the `webgpu` package, Dawn; SwiftShader found
// by itself where no GPU driver is installed) and makes tfjs's `webgpu` backend run on it.
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { engine, findBackendFactory, registerBackend, removeBackend, setBackend } from '@tensorflow/tfjs-core';
import { detectRuntime, importByName, isNode } from './runtime';
import { countTraffic } from './traffic';
import { throttleDawnPolling } from './dawn_polling';

/** What adapter the library runs on. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (SwiftShader, lavapipe, WARP) rather than a GPU. */
  software: boolean;
  features: string[];
  runtime: 'browser' | 'node';
  /** Node only: the Vulkan driver manifest used, when the library chose it (VK_ICD_FILENAMES). */
  vulkanDriver?: string;
}

export interface InitWebGPUOptions {
  /** A `GPU` to use instead of `navigator.gpu` or Dawn. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Make `webgpu` the active tfjs backend (default true). */
  setBackend?: boolean;
}

export interface WebGPUContext {
  adapter: AdapterSummary;
  device: GPUDevice;
  backend: WebGPUBackend;
}

/** SwiftShader's Vulkan manifest in the places Chromium-based browsers install it. */
export const SWIFTSHADER_ICD_CANDIDATES = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
  '/opt/google/chrome-beta/vk_swiftshader_icd.json',
  '/opt/google/chrome-unstable/vk_swiftshader_icd.json',
];

const INSTALL_HINT =
  'Install a WebGPU-capable runtime: in Node, `npm install webgpu` plus a Vulkan driver ' +
  '(a GPU driver, or SwiftShader from Chromium: `apt-get install libvulkan1 chromium`, ' +
  'or set VK_ICD_FILENAMES to a vk_swiftshader_icd.json); in a browser, a WebGPU-enabled one ' +
  '(Chrome 113+, or Chromium with --enable-unsafe-webgpu) on a page served over https or from localhost.';

let dawnInstance: GPU | undefined;
let current: WebGPUContext | undefined;

/** SwiftShader manifests next to puppeteer's Chrome downloads and PUPPETEER_EXECUTABLE_PATH. */
async function swiftShaderCandidates(): Promise<string[]> {
  const fs = await importByName<typeof import('node:fs')>('node:fs');
  const path = await importByName<typeof import('node:path')>('node:path');
  const os = await importByName<typeof import('node:os')>('node:os');
  const found = [...SWIFTSHADER_ICD_CANDIDATES];
  const exe = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (exe) found.unshift(path.join(path.dirname(exe), 'vk_swiftshader_icd.json'));
  const cache = path.join(process.env.PUPPETEER_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'puppeteer'), 'chrome');
  try {
    for (const version of fs.readdirSync(cache)) {
      for (const sub of ['chrome-linux64', 'chrome-linux']) found.push(path.join(cache, version, sub, 'vk_swiftshader_icd.json'));
    }
  } catch {
    // no puppeteer cache
  }
  return found.filter((file) => fs.existsSync(file));
}

/**
 * Keeps Dawn's harmless lines off the user's terminal. Mesa's Vulkan device-selection layer (installed with
 * `mesa-vulkan-drivers`, loaded by the Vulkan loader whatever driver is picked) asks libwayland for a
 * display, which prints `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` at each
 * instance when the variable is unset (a server, a container, CI): give it a private, empty folder then.
 */
async function quietVulkanEnvironment(): Promise<void> {
  if (process.platform !== 'linux' || process.env.XDG_RUNTIME_DIR) return;
  const fs = await importByName<typeof import('node:fs')>('node:fs');
  const path = await importByName<typeof import('node:path')>('node:path');
  const os = await importByName<typeof import('node:os')>('node:os');
  try {
    const uid = process.getuid?.() ?? 0;
    let dir = path.join(os.tmpdir(), `tfjs-adversarial-runtime-${uid}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-adversarial-runtime-'));
    process.env.XDG_RUNTIME_DIR = dir;
  } catch {
    // no temp folder: the lines stay
  }
}

/**
 * Whether a GPU's Vulkan driver could find a device here. On Linux a GPU driver needs a device node
 * (`/dev/dri/renderD*` for Mesa's and AMD's, `/dev/nvidia*`, WSL's `/dev/dxg`); without one, probing the
 * default driver only prints Dawn's warnings (`vkCreateInstance: Found no drivers!`, or lavapipe refused for
 * `shaderUniform*ArrayDynamicIndexing`) before SwiftShader is tried. Elsewhere: true.
 */
async function mayHaveGpu(): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const fs = await importByName<typeof import('node:fs')>('node:fs');
  const has = (dir: string, pattern: RegExp) => {
    try {
      return fs.readdirSync(dir).some((name) => pattern.test(name));
    } catch {
      return false;
    }
  };
  return has('/dev/dri', /^renderD\d+$/) || has('/dev', /^(nvidia\d+|dxg)$/);
}

/** Dawn's GPU in Node: the default Vulkan driver first (where a GPU could be), then SwiftShader. */
async function nodeAdapter(powerPreference: GPUPowerPreference): Promise<{ adapter: GPUAdapter; vulkanDriver?: string }> {
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = await importByName('webgpu');
  } catch (err) {
    throw new Error(`initWebGPU: the \`webgpu\` npm package (Dawn for Node) could not be loaded (${(err as Error).message}). ${INSTALL_HINT}`);
  }
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  // Dawn's promise polling off the busy setImmediate loop (platform/dawn_polling.ts): the cores go to the GPU work.
  throttleDawnPolling(1);
  const request = async () => {
    dawnInstance = dawn.create([]);
    return dawnInstance.requestAdapter({ powerPreference });
  };
  await quietVulkanEnvironment();
  const preset = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  const probeDefault = preset !== undefined || (await mayHaveGpu());
  if (probeDefault) {
    const first = await request();
    if (first) return { adapter: first, vulkanDriver: preset };
    if (preset) {
      throw new Error(`initWebGPU: no WebGPU adapter from the Vulkan driver in VK_ICD_FILENAMES/VK_DRIVER_FILES (${preset}). ${INSTALL_HINT}`);
    }
  }
  const tried: string[] = [];
  for (const icd of await swiftShaderCandidates()) {
    process.env.VK_ICD_FILENAMES = icd;
    tried.push(icd);
    const adapter = await request();
    if (adapter) return { adapter, vulkanDriver: icd };
  }
  delete process.env.VK_ICD_FILENAMES;
  throw new Error(
    `initWebGPU: no WebGPU adapter in Node: ${probeDefault ? 'the default Vulkan driver gave none' : 'no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg), so no GPU driver'}` +
      (tried.length ? ` and neither did SwiftShader at ${tried.join(', ')}` : ' and no SwiftShader was found') +
      ` (Dawn also needs libvulkan.so.1). ${INSTALL_HINT}`,
  );
}

function summarize(
  adapterInfo: GPUAdapterInfo | undefined,
  features: ReadonlySet<string>,
  runtime: 'browser' | 'node',
  vulkanDriver?: string,
): AdapterSummary {
  const info = adapterInfo ?? ({} as GPUAdapterInfo);
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: fallback === true || /swiftshader|llvmpipe|lavapipe|warp|software/i.test(text),
    features: [...features].sort(),
    runtime,
    vulkanDriver,
  };
}

/**
 * Gets a WebGPU adapter and device, makes tfjs's `webgpu` backend run on them and says which adapter it
 * got; `onBackend` runs once the backend is registered, before it is set (the kernels' registration: the
 * public `initWebGPU` of engine/init.ts passes it). Works in browsers (`navigator.gpu`) and in Node (the
 * `webgpu` package). Calling it again returns the same context.
 *
 * @example
 * const {adapter} = await setUpWebGPU({}, () => registerEngineKernels());
 */
export async function setUpWebGPU(options: InitWebGPUOptions, onBackend: () => void): Promise<WebGPUContext> {
  const running = engine().registry.webgpu as WebGPUBackend | undefined;
  if (current && running === current.backend) {
    if (options.setBackend !== false) await setBackend('webgpu');
    return current;
  }
  if (running) {
    // tfjs already runs its webgpu backend (the user set it up): keep it and its tensors.
    const info = (running.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    current = { adapter: summarize(info, running.device.features, detectRuntime()), device: running.device, backend: running };
    countTraffic(running.device);
    onBackend();
    if (options.setBackend !== false) await setBackend('webgpu');
    return current;
  }
  const powerPreference = options.powerPreference ?? 'high-performance';
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  let gpu = options.gpu ?? nav?.gpu;
  let adapter: GPUAdapter | null;
  let vulkanDriver: string | undefined;
  if (gpu) {
    adapter = await gpu.requestAdapter({ powerPreference });
    if (!adapter) throw new Error(`initWebGPU: navigator.gpu gave no adapter. ${INSTALL_HINT}`);
  } else if (isNode()) {
    ({ adapter, vulkanDriver } = await nodeAdapter(powerPreference));
    gpu = dawnInstance;
  } else {
    throw new Error(`initWebGPU: WebGPU is not available here (no navigator.gpu). ${INSTALL_HINT}`);
  }
  // tfjs-backend-webgpu checks navigator.gpu when it builds its backend.
  if (!nav) (globalThis as { navigator?: unknown }).navigator = { gpu };
  else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });

  const required: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) required.push('timestamp-query');
  // Subgroups of four let the software adapter's matrix products share loads (program/subgroups.ts).
  if (adapter.features.has('subgroups')) required.push('subgroups' as GPUFeatureName);
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: required,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  const summary = summarize(adapter.info, adapter.features, detectRuntime(), vulkanDriver);
  // Counting from the start, so every buffer tfjs makes is seen.
  countTraffic(device);
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.warn(`tfjs-adversarial: the WebGPU device was lost: ${info.message}`);
    if (current?.device === device) current = undefined;
  });
  const backend = new WebGPUBackend(device, adapter.info);
  // Replace tfjs's own factory (if its import registered one): the backend must run on this device.
  if (findBackendFactory('webgpu') != null) removeBackend('webgpu');
  registerBackend('webgpu', () => backend, 3);
  current = { adapter: summary, device, backend };
  onBackend();
  if (options.setBackend !== false) {
    const ok = await setBackend('webgpu');
    if (!ok) throw new Error('initWebGPU: tfjs could not start its webgpu backend on this device');
  }
  return current;
}

/** The context from the last {@link initWebGPU}, if any. */
export function currentWebGPU(): WebGPUContext | undefined {
  return current;
}

