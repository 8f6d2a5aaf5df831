package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * A function applied to each row of an (N, C) batch, such as softmax. Rows are computed in double whatever the
 * element type, so float and double results differ only by the final rounding.
 */
public abstract class RowwiseLayer extends Layer {

    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private Tensor lastOutput;
    private double[] row;
    private double[] rowGradient;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException(typeName() + " \"" + name() + "\": expects (classes,) samples, got " + input);
        }
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        row = new double[input.dim(0)];
        rowGradient = new double[input.dim(0)];
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor y = output.get(x.batch());
        int c = row.length;
        for (int r = 0, n = x.batch(); r < n; r++) {
            x.read(r * c, row);
            forwardRow(row);
            y.write(row, r * c);
        }
        lastOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastOutput.batch();
        checkGradient(dy, n);
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        int c = row.length;
        for (int r = 0; r < n; r++) {
            lastOutput.read(r * c, row);
            dy.read(r * c, rowGradient);
            backwardRow(row, rowGradient);
            dx.write(rowGradient, r * c);
        }
        return dx;
    }

    /** Replaces the input row by the output row. */
    protected abstract void forwardRow(double[] values);

    /** Given the output row and dy, replaces dy by dx. */
    protected abstract void backwardRow(double[] output, double[] gradient);

    /** Stable log Σ exp(values): shifted by the maximum. */
    static double logSumExp(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double v : values) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }
}
