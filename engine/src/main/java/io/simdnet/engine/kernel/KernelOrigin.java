package io.simdnet.engine.kernel;

/** Where the kernel that serves a spec came from. */
public enum KernelOrigin {
    /** Generated from the catalog when the engine was built, and compiled into its jar. */
    BUILD_TIME,
    /** Generated and compiled by an earlier run, loaded from the disk cache. */
    DISK_CACHE,
    /** Generated and compiled in this process. */
    RUNTIME_COMPILED,
    /** A tuning record chose another variant of the spec ({@link KernelRegistry#variant} names it), served from any of the above. */
    TUNED,
    /** No specialised class could be had; the unspecialised vector kernel serves. */
    GENERIC
}
