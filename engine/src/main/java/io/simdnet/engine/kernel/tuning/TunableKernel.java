package io.simdnet.engine.kernel.tuning;

import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.concurrent.CompletableFuture;

/**
 * The kernel a layer calls for one spec, which tuning may replace once: on the first call (which brings the
 * batch size the candidates are timed at) an untuned spec is tuned then and there ({@link TuningMode#EAGER}) or
 * in the background ({@link TuningMode#LAZY}, the default variant serving until the winner is ready). After
 * that the kernel never changes, and a call costs three volatile reads (whether it is settled, the kernel, and whether
 * calls are being recorded for {@code bin/simdnet tune}).
 */
public final class TunableKernel {

    private final KernelTuning tuning;
    private final KernelSpec spec;
    private volatile Kernel kernel;
    private volatile boolean settled;
    private CompletableFuture<TuningRecord> background;

    TunableKernel(KernelTuning tuning, KernelSpec spec, Kernel kernel, boolean settled) {
        this.tuning = tuning;
        this.spec = spec;
        this.kernel = kernel;
        this.settled = settled;
    }

    public KernelSpec spec() {
        return spec;
    }

    /** The kernel to run a call of {@code batch} rows or images with. */
    public Kernel kernel(int batch) {
        tuning.noteCall(spec, batch);
        return settled ? kernel : settle(batch);
    }

    /** Whether the kernel is final (tuned, recorded, or not to be tuned). */
    public boolean settled() {
        return settled;
    }

    private synchronized Kernel settle(int batch) {
        if (settled) {
            return kernel;
        }
        if (tuning.mode() == TuningMode.EAGER) {
            try {
                tuning.tune(spec, batch);
            } catch (RuntimeException e) {
                System.getLogger("io.simdnet.kernels").log(System.Logger.Level.WARNING,
                        "tuning '" + spec.key() + "' failed, the default variant serves: " + e);
            }
            return finish();
        }
        if (background == null) {
            background = tuning.tuneInBackground(spec, batch);
        }
        return background.isDone() ? finish() : kernel;
    }

    private Kernel finish() {
        kernel = tuning.served(spec);
        settled = true;
        return kernel;
    }
}
