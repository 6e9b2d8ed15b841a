/**
 * Named errors of the WebGPU backend. A device that is lost (driver reset, `destroy()`, an
 * out-of-memory the driver could not recover from) fails every later call with
 * `WebgpuDeviceLostError`; an allocation the device refuses fails with `WebgpuOutOfMemoryError`
 * before anything is written, so the state a caller holds (and its last snapshot) stays usable.
 */
export class WebgpuError extends Error {
  override readonly name: string = "WebgpuError";
}

/** No adapter or device on this machine (the package is missing, or no driver is installed). */
export class WebgpuUnavailableError extends WebgpuError {
  override readonly name = "WebgpuUnavailableError";
}

/** The device was lost; its buffers are gone. Create a new run from the last snapshot. */
export class WebgpuDeviceLostError extends WebgpuError {
  override readonly name = "WebgpuDeviceLostError";
  constructor(readonly reason: string) {
    super(
      `webgpu backend: the device was lost (${reason}); its buffers are gone, recreate the run from the last snapshot`,
    );
  }
}

/** The device could not allocate a buffer. */
export class WebgpuOutOfMemoryError extends WebgpuError {
  override readonly name = "WebgpuOutOfMemoryError";
}

/** A validation or internal error reported by the device for one of our commands (a bug here). */
export class WebgpuValidationError extends WebgpuError {
  override readonly name = "WebgpuValidationError";
}
