package io.simdnet.kernel;

import io.simdnet.kernel.spec.Conv2dSpec;

/** Checks a convolution call against its spec, with messages that name the layer geometry and the array. */
public final class Conv2dArguments {

    private Conv2dArguments() {
    }

    public static void forward(Conv2dSpec spec, int n, Object x, Object weights, Object bias, Object y) {
        batch(spec, n);
        array(spec, "input x", x, (long) n * inputSize(spec));
        array(spec, "weights", weights, (long) spec.outChannels() * spec.patchSize());
        bias(spec, "bias", bias);
        array(spec, "output y", y, (long) n * outputSize(spec));
    }

    public static void backwardData(Conv2dSpec spec, int n, Object dy, Object weights, Object dx) {
        batch(spec, n);
        array(spec, "output gradient dy", dy, (long) n * outputSize(spec));
        array(spec, "weights", weights, (long) spec.outChannels() * spec.patchSize());
        array(spec, "input gradient dx", dx, (long) n * inputSize(spec));
    }

    public static void backwardWeights(Conv2dSpec spec, int n, Object x, Object dy, Object dWeights, Object dBias) {
        batch(spec, n);
        array(spec, "input x", x, (long) n * inputSize(spec));
        array(spec, "output gradient dy", dy, (long) n * outputSize(spec));
        array(spec, "weight gradient", dWeights, (long) spec.outChannels() * spec.patchSize());
        bias(spec, "bias gradient", dBias);
    }

    private static int inputSize(Conv2dSpec spec) {
        return spec.inChannels() * spec.height() * spec.width();
    }

    private static int outputSize(Conv2dSpec spec) {
        return spec.outChannels() * spec.outHeight() * spec.outWidth();
    }

    private static void batch(Conv2dSpec spec, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(describe(spec) + ": batch size " + n + ", expected >= 0");
        }
    }

    private static void bias(Conv2dSpec spec, String name, Object array) {
        if (spec.bias()) {
            array(spec, name, array, spec.outChannels());
        } else if (array != null) {
            throw new IllegalArgumentException(describe(spec) + ": a " + name + " was given but the layer has no bias");
        }
    }

    private static void array(Conv2dSpec spec, String name, Object array, long needed) {
        String problem = ArrayArguments.lengthProblem(name, array, needed);
        if (problem != null) {
            throw new IllegalArgumentException(describe(spec) + ": " + problem);
        }
    }

    private static String describe(Conv2dSpec spec) {
        return "Conv2d " + spec.inChannels() + "×" + spec.height() + "×" + spec.width() + " → " + spec.outChannels() + "×"
                + spec.outHeight() + "×" + spec.outWidth() + " (kernel " + spec.kernelH() + "×" + spec.kernelW() + ", stride "
                + spec.strideH() + "×" + spec.strideW() + ")";
    }
}
