package io.simdnet.engine.layer;

import io.simdnet.engine.tensor.Tensor;

/** max(x, 0). The derivative at 0 is taken as 0, as PyTorch does. */
public final class Relu extends Activation {

    @Override
    public String typeName() {
        return "ReLU";
    }

    @Override
    protected void forward(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = Math.max(x[i], 0.0);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = y[i] > 0.0 ? dy[i] : 0.0;
        }
    }

    /** out = dy where output > 0, else 0: the gradient through a ReLU fused into the layer before it. */
    static Tensor maskByOutput(Tensor output, Tensor dy, Tensor out) {
        int size = out.size();
        if (out.floats() != null) {
            float[] y = output.floats();
            float[] g = dy.floats();
            float[] o = out.floats();
            for (int i = 0; i < size; i++) {
                o[i] = y[i] > 0f ? g[i] : 0f;
            }
        } else {
            double[] y = output.doubles();
            double[] g = dy.doubles();
            double[] o = out.doubles();
            for (int i = 0; i < size; i++) {
                o[i] = y[i] > 0.0 ? g[i] : 0.0;
            }
        }
        return out;
    }
}
