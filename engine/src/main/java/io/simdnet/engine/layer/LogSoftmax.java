package io.simdnet.engine.layer;

/** log-softmax over the classes of each row (pairs with {@code NllLoss}); dx = dy − softmax·Σ dy. */
public final class LogSoftmax extends RowwiseLayer {

    @Override
    protected void forwardRow(double[] values) {
        double lse = logSumExp(values);
        for (int i = 0; i < values.length; i++) {
            values[i] -= lse;
        }
    }

    @Override
    protected void backwardRow(double[] output, double[] gradient) {
        double sum = 0;
        for (double g : gradient) {
            sum += g;
        }
        for (int i = 0; i < output.length; i++) {
            gradient[i] -= Math.exp(output[i]) * sum;
        }
    }
}
