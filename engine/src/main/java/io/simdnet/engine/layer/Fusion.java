package io.simdnet.engine.layer;

/**
 * The fusions a model makes when it is built, pair by pair of a layer and the one layer reading its output: a
 * {@link BatchNorm} followed by a {@link Relu} becomes one pass over memory forward (normalise, then max(·, 0)) and
 * one fewer backward (the ReLU's mask applied where batch norm reads the gradient), the same bits as the two apart.
 * Both layers stay in the model, with their names and parameters, so checkpoints, PyTorch interop and the profile's
 * rows are unchanged; {@code summary()} shows the pair as {@code BatchNorm+ReLU} and {@code ReLU, fused}.
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
        if (producer instanceof BatchNorm norm && consumer instanceof Relu relu && norm.fusible() && !norm.fusedRelu() && !relu.fused()) {
            norm.fuseRelu();
            relu.fuse();
            return true;
        }
        return false;
    }
}
