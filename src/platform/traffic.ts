// Counts the bytes that cross between host and GPU on a device: uploads through mapped ranges and
// queue.writeBuffer, reads through buffers mapped for reading; and the work sent: compute dispatches and
// queue submits. Counted at the WebGPU API, not estimated.

/** Bytes moved since the counter was installed or last reset. */
export interface TrafficCounts {
  /** Tensor and other storage data written to the GPU (mapped writes, writeBuffer to non-uniform buffers). */
  uploadBytes: number;
  /** Uniform buffer writes (kernel parameters, shapes). */
  uniformBytes: number;
  /** Data read back from the GPU. */
  downloadBytes: number;
  /** The largest single upload (one writeBuffer or mapped range), in bytes. */
  largestUploadBytes: number;
  /** Compute dispatches (dispatchWorkgroups calls, direct or indirect). */
  dispatches: number;
  /** queue.submit calls. */
  submits: number;
}

/** All counts zero. */
export function zeroTraffic(): TrafficCounts {
  return { uploadBytes: 0, uniformBytes: 0, downloadBytes: 0, largestUploadBytes: 0, dispatches: 0, submits: 0 };
}

/** Adds `b` into `a` (the largest upload: the larger of the two). */
export function addTraffic(a: TrafficCounts, b: TrafficCounts): void {
  a.uploadBytes += b.uploadBytes;
  a.uniformBytes += b.uniformBytes;
  a.downloadBytes += b.downloadBytes;
  a.largestUploadBytes = Math.max(a.largestUploadBytes, b.largestUploadBytes);
  a.dispatches += b.dispatches;
  a.submits += b.submits;
}

export interface TrafficCounter {
  /** A snapshot of the counts. */
  read(): TrafficCounts;
  reset(): void;
}

const counters = new WeakMap<GPUDevice, TrafficCounter>();

/**
 * Installs (once per device) a counter of host-device traffic and returns it.
 *
 * @example
 * const traffic = countTraffic(device);
 * traffic.reset(); trainStep(); console.log(traffic.read().uploadBytes);
 */
export function countTraffic(device: GPUDevice): TrafficCounter {
  const existing = counters.get(device);
  if (existing) return existing;
  const counts = zeroTraffic();

  const queue = device.queue;
  const writeBuffer = queue.writeBuffer.bind(queue);
  queue.writeBuffer = ((buffer: GPUBuffer, offset: number, data: BufferSource, dataOffset?: number, size?: number) => {
    const elementBytes = ArrayBuffer.isView(data) && 'BYTES_PER_ELEMENT' in data ? (data as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
    const bytes = size !== undefined ? size * elementBytes : data.byteLength - (dataOffset ?? 0) * elementBytes;
    if (buffer.usage & GPUBufferUsage.UNIFORM) counts.uniformBytes += bytes;
    else {
      counts.uploadBytes += bytes;
      counts.largestUploadBytes = Math.max(counts.largestUploadBytes, bytes);
    }
    return writeBuffer(buffer, offset, data, dataOffset, size);
  }) as GPUQueue['writeBuffer'];

  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = createBuffer(descriptor);
    let reading = false;
    const mapAsync = buffer.mapAsync.bind(buffer);
    buffer.mapAsync = (mode: GPUMapModeFlags, offset?: number, size?: number) => {
      reading = (mode & GPUMapMode.READ) !== 0;
      return mapAsync(mode, offset, size);
    };
    const getMappedRange = buffer.getMappedRange.bind(buffer);
    buffer.getMappedRange = (offset?: number, size?: number) => {
      const range = getMappedRange(offset, size);
      if (reading) counts.downloadBytes += range.byteLength;
      else {
        counts.uploadBytes += range.byteLength;
        counts.largestUploadBytes = Math.max(counts.largestUploadBytes, range.byteLength);
      }
      return range;
    };
    return buffer;
  };

  const submit = queue.submit.bind(queue);
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    counts.submits++;
    return submit(buffers);
  };
  const createCommandEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor): GPUCommandEncoder => {
    const encoder = createCommandEncoder(descriptor);
    const beginComputePass = encoder.beginComputePass.bind(encoder);
    encoder.beginComputePass = (passDescriptor?: GPUComputePassDescriptor): GPUComputePassEncoder => {
      const pass = beginComputePass(passDescriptor);
      const dispatch = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (x: number, y?: number, z?: number) => {
        counts.dispatches++;
        return dispatch(x, y, z);
      };
      const dispatchIndirect = pass.dispatchWorkgroupsIndirect.bind(pass);
      pass.dispatchWorkgroupsIndirect = (buffer: GPUBuffer, offset: number) => {
        counts.dispatches++;
        return dispatchIndirect(buffer, offset);
      };
      return pass;
    };
    return encoder;
  };

  const counter: TrafficCounter = {
    read: () => ({ ...counts }),
    reset: () => void Object.assign(counts, zeroTraffic()),
  };
  counters.set(device, counter);
  return counter;
}
