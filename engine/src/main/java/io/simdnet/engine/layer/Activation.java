package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * An elementwise function y = f(x) of any sample shape. Subclasses give the loops over a range of elements for both
 * element types; this class deals the ranges to the kernel pool (each element is computed alone, so any split gives
 * the same result). The backward loops see x, y and dy so each can use whichever makes its derivative cheapest.
 */
public abstract class Activation extends Layer {

    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private Passes passes;
    private Tensor lastInput;
    private Tensor lastOutput;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        // Its own, not the original's through a replica's shallow copy: it holds the current call's arguments.
        passes = new Passes();
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor y = output.get(x.batch());
        passes.run(x, y, null, null);
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
        passes.run(lastInput, lastOutput, dy, dx);
        return dx;
    }

    /**
     * What one element costs, in the flops {@link io.simdnet.kernel.KernelPool#tasksFor} weighs work in: a streaming
     * pass by default; more for activations that call {@code Math.exp} or {@code Math.tanh} per element.
     */
    protected long elementFlops() {
        return ParallelRange.ELEMENT_FLOPS;
    }

    /** y = f(x) for elements [from, to). */
    protected abstract void forward(float[] x, float[] y, int from, int to);

    protected abstract void forward(double[] x, double[] y, int from, int to);

    /** dx = f'(x)·dy for elements [from, to). */
    protected abstract void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to);

    protected abstract void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to);

    /** The forward or backward loops of one call, dealt to the pool. */
    private final class Passes extends ParallelRange {
        private Tensor x;
        private Tensor y;
        private Tensor dy;
        private Tensor dx;

        /** Forward when dy is null, else backward. */
        void run(Tensor x, Tensor y, Tensor dy, Tensor dx) {
            this.x = x;
            this.y = y;
            this.dy = dy;
            this.dx = dx;
            try {
                run(x.size(), ELEMENT_GRANULE, elementFlops());
            } finally {
                this.x = this.y = this.dy = this.dx = null;
            }
        }

        @Override
        protected void range(int from, int to) {
            boolean floats = x.floats() != null;
            if (dy == null) {
                if (floats) {
                    forward(x.floats(), y.floats(), from, to);
                } else {
                    forward(x.doubles(), y.doubles(), from, to);
                }
            } else if (floats) {
                backward(x.floats(), y.floats(), dy.floats(), dx.floats(), from, to);
            } else {
                backward(x.doubles(), y.doubles(), dy.doubles(), dx.doubles(), from, to);
            }
        }
    }
}
