package io.simdnet.kernel;

import io.simdnet.kernel.spec.Pool2dSpec;

/** Checks a pooling call against its spec, with messages that name the geometry and the array. */
public final class Pool2dArguments {

    private Pool2dArguments() {
    }

    public static void forward(Pool2dSpec spec, int n, Object x, Object y, int[] argmax) {
        common(spec, n, "input x", x, "output y", y, argmax);
    }

    public static void backward(Pool2dSpec spec, int n, Object dy, int[] argmax, Object dx) {
        common(spec, n, "input gradient dx", dx, "output gradient dy", dy, argmax);
    }

    private static void common(Pool2dSpec spec, int n, String inName, Object in, String outName, Object out, int[] argmax) {
        if (n < 0) {
            throw new IllegalArgumentException(describe(spec) + ": batch size " + n + ", expected >= 0");
        }
        long outputs = (long) n * spec.channels() * spec.outHeight() * spec.outWidth();
        array(spec, inName, in, (long) n * spec.channels() * spec.height() * spec.width());
        array(spec, outName, out, outputs);
        if (spec.kind() == Pool2dSpec.Kind.MAX) {
            array(spec, "argmax", argmax, outputs);
        } else if (argmax != null) {
            throw new IllegalArgumentException(describe(spec) + ": argmax is for max pooling; pass null for average pooling");
        }
    }

    private static void array(Pool2dSpec spec, String name, Object array, long needed) {
        String problem = ArrayArguments.lengthProblem(name, array, needed);
        if (problem != null) {
            throw new IllegalArgumentException(describe(spec) + ": " + problem);
        }
    }

    private static String describe(Pool2dSpec spec) {
        return (spec.kind() == Pool2dSpec.Kind.MAX ? "MaxPool2d " : "AvgPool2d ") + spec.channels() + "×" + spec.height() + "×" + spec.width()
                + " → " + spec.channels() + "×" + spec.outHeight() + "×" + spec.outWidth() + " (window " + spec.kernelH() + "×" + spec.kernelW()
                + ", stride " + spec.strideH() + "×" + spec.strideW() + ", padding " + spec.padH() + "×" + spec.padW() + ")";
    }
}
