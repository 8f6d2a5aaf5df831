package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * An elementwise function y = f(x) of any sample shape. Subclasses give the loops for both element types; the
 * backward loops see x, y and dy so each can use whichever makes its derivative cheapest.
 */
public abstract class Activation extends Layer {

    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private Tensor lastInput;
    private Tensor lastOutput;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor y = output.get(x.batch());
        if (x.floats() != null) {
            forward(x.floats(), y.floats(), x.size());
        } else {
            forward(x.doubles(), y.doubles(), x.size());
        }
        lastInput = x;
        lastOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        if (dx.floats() != null) {
            backward(lastInput.floats(), lastOutput.floats(), dy.floats(), dx.floats(), dx.size());
        } else {
            backward(lastInput.doubles(), lastOutput.doubles(), dy.doubles(), dx.doubles(), dx.size());
        }
        return dx;
    }

    protected abstract void forward(float[] x, float[] y, int size);

    protected abstract void forward(double[] x, double[] y, int size);

    protected abstract void backward(float[] x, float[] y, float[] dy, float[] dx, int size);

    protected abstract void backward(double[] x, double[] y, double[] dy, double[] dx, int size);
}
