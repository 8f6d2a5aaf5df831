package io.simdnet.engine.kernel.tuning;

import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.List;
import java.util.Map;

/**
 * The registry as tuning sees it: where the candidates' kernels come from and where a winner is handed back to
 * be served. The kernel registry implements it; tuning knows nothing else of the registry.
 */
public interface TuningHost {

    /** The kernel serving {@code spec} now (a tuned variant where one serves under its key). */
    Kernel kernel(KernelSpec spec);

    /**
     * The kernel of default spec {@code spec} itself, whatever a record says: what the candidates are measured
     * against (a record's winner serving under the spec's key would otherwise pose as the default).
     */
    Kernel defaultKernel(KernelSpec spec);

    /**
     * Makes sure every one of {@code specs} has its kernel, compiling those that are neither built in nor cached
     * in one javac task. Returns key → why, for those that could not be compiled.
     */
    Map<String, String> prepare(List<KernelSpec> specs);

    /** Whether {@code spec} is served by the unspecialised kernel (no class could be compiled for it). */
    boolean servedGeneric(KernelSpec spec);

    /** Serves {@code winner}'s kernel under default spec {@code spec}'s key from now on. */
    void serveTuned(KernelSpec spec, KernelSpec winner);

    /** The profile records are made and looked up under now (it follows the kernel pool's thread count). */
    TuningProfile profile();
}
