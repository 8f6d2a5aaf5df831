package io.simdnet.engine.layer;

import io.simdnet.engine.kernel.ElementwiseKernel;
import io.simdnet.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * max(x, 0). The derivative at 0 is taken as 0, as PyTorch does. The float loops are written with the Vector
 * API, the backward's select being {@link ElementwiseKernel#maskByOutput}, which the layers a ReLU is fused into
 * share. {@link Activation} spreads them over the kernel pool.
 */
public final class Relu extends Activation {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Whether the layer before (a batch norm or a residual add) applies it ({@link Fusion}): then its input and gradient pass through. */
    private boolean fused;

    /** Called by {@link Fusion} only, before the model's first call. */
    void fuse() {
        this.fused = true;
    }

    /** Whether the layer before applies this ReLU (and its gradient mask) in its own passes. */
    public boolean fused() {
        return fused;
    }

    @Override
    public String typeName() {
        return fused ? "ReLU, fused" : "ReLU";
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (!fused) {
            return super.forward(x, training);
        }
        checkInput(x);
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        return fused ? (needInputGradient ? dy : null) : super.backward(dy, needInputGradient);
    }

    @Override
    protected void forward(float[] x, float[] y, int from, int to) {
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, i).max(0f).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(x[i], 0.0);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        ElementwiseKernel.maskByOutput(y, dy, dx, from, to);
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to) {
        ElementwiseKernel.maskByOutput(y, dy, dx, from, to);
    }
}
