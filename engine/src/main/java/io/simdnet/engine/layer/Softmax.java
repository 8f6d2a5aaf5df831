package io.simdnet.engine.layer;

/** softmax over the classes of each row; dx = y ⊙ (dy − Σ dy·y). Prefer the fused cross-entropy loss for training. */
public final class Softmax extends RowwiseLayer {

    @Override
    protected void forwardRow(double[] values) {
        double lse = logSumExp(values);
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(values[i] - lse);
        }
    }

    @Override
    protected void backwardRow(double[] output, double[] gradient) {
        double dot = 0;
        for (int i = 0; i < output.length; i++) {
            dot += gradient[i] * output[i];
        }
        for (int i = 0; i < output.length; i++) {
            gradient[i] = output[i] * (gradient[i] - dot);
        }
    }
}
