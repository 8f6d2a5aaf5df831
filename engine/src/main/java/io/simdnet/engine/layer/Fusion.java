package io.simdnet.engine.layer;

/**
 * The fusions a model makes when it is built, pair by pair of a layer and the one layer reading its output: a
 * {@link BatchNorm} followed by a {@link Relu} becomes one pass over memory forward (normalise, then max(·, 0)) and
 * one fewer backward (the ReLU's mask applied where batch norm reads the gradient); an {@link Add} (a residual join)
 * followed by a {@link Relu} one pass fewer forward (the sum, then max(·, 0)), its mask applied once for every input's
 * gradient. The same bits as the layers apart. Both layers stay in the model, with their names and parameters, so
 * checkpoints, PyTorch interop and the profile's rows are unchanged; {@code summary()} shows the pair as
 * {@code BatchNorm+ReLU} (or {@code Add+ReLU}) and {@code ReLU, fused}.
 */
public final class Fusion {

    private Fusion() {
    }

    /**
     * Fuses {@code consumer} into {@code producer} where a fusion applies; the model calls it for every layer whose
     * output feeds exactly one layer, after building them and before their first call.
     *
     * @return whether the pair was fused
     */
    public static boolean fuse(Layer producer, Layer consumer) {
        if (!(consumer instanceof Relu relu) || relu.fused()) {
            return false;
        }
        if (producer instanceof BatchNorm norm && norm.fusible() && !norm.fusedRelu()) {
            norm.fuseRelu();
        } else if (producer instanceof Add add && add.fusible() && !add.fusedRelu()) {
            add.fuseRelu();
        } else {
            return false;
        }
        relu.fuse();
        return true;
    }
}
